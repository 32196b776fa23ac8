/**
 * Explains a heap dump offline: HPROF reader, index, class histogram, dominator tree, retained sizes, leak
 * suspects, diff and reports. The public surface is {@link dev.oomheapdump.core.analysis.HeapAnalyzer},
 * {@link dev.oomheapdump.core.analysis.HeapReport}, {@link dev.oomheapdump.core.analysis.HeapDiff},
 * {@link dev.oomheapdump.core.analysis.DiffReport}, {@link dev.oomheapdump.core.analysis.AnalysisProgress} and
 * {@link dev.oomheapdump.core.analysis.HprofFormatException}; everything else is package-private.
 *
 * <h2>Layout</h2>
 * {@code HprofInput} and {@code HprofParser} know the format and nothing else; {@code IndexBuilder} makes the
 * {@code HeapIndex} in two passes; {@code DominatorTree}, {@code Histogram}, {@code LeakSuspects} and
 * {@code PathNames} are one result each; {@code HeapReport} and {@code DiffReport} write JSON and text.
 *
 * <h2>Reading</h2>
 * A plain file is memory-mapped in windows of 16 MiB and read in place with absolute big-endian gets: no stream,
 * no copy, and a skip only moves the window ({@code HprofInput}); a gzip file is inflated through a buffer. The
 * class histogram of a diff does not use the visitor: after a walk over the top-level records, its heap dump
 * records are split in two runs of about equal bytes, counted by one thread each (an instance from its class id
 * and length, an array from its header, nothing else read but CLASS_DUMPs), and the counts merged; a damaged file
 * is read again record by record, which names the damage.
 *
 * <h2>Memory</h2>
 * No Java object per heap object, and no per-object table on the Java heap but the {@code IdMap} (2 bytes per
 * object plus a bucket table): every other table is a memory-mapped temporary file ({@code Scratch},
 * {@code BigInts}, {@code BigLongs}; 4 MiB chunks, unlinked as soon as opened, so nothing survives the JVM).
 * Pass 1 writes ids and reference bounds; ids out of order are radix-sorted between two mapped files. Pass 2
 * fills class, shallow size, CSR offsets and targets. The dominator computation works in preorder space (see
 * {@code DominatorTree}). Tables read or written in order keep only a chunk or a few mapped, so the resident
 * size is what each phase uses at random: at most about 8 bytes per object (the references during the
 * depth-first search, ancestors and semidominators later, retained sizes at the end). Measured on a 650 MB dump
 * of 16 M objects with {@code -Xmx80m} (N/8): 0.31 GB peak RSS, 0.48 times the file (before: 0.51 GB, 0.76
 * times; the all-heap design: 1.13 GB).
 *
 * <h2>Semantics, and where they differ from NetBeans (VisualVM)</h2>
 * Instance counts and shallow sizes match the NetBeans profiler heap library exactly (header of two identifiers;
 * arrays two identifiers plus 8 plus elements; class objects have no size and are not {@code java.lang.Class}
 * instances). The {@code referent} of {@code java.lang.ref.Reference} is not followed, for reachability nor for
 * dominators; NetBeans leaves it out of reachability but counts it as a referrer in its dominator computation,
 * so our retained sizes are equal or a little larger (0.1% on the JDK's own objects in the tests, equal for the
 * application's). An instance keeps its class alive only where the search first reaches the class through it,
 * as in NetBeans. Retained bytes per class add up the objects whose immediate dominator is not of the same class.
 */
package dev.oomheapdump.core.analysis;
