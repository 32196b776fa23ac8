/**
 * The fetch: a listed file of a JVM's dump directory brought to this computer, resumable and verified, whatever the
 * transport. {@link dev.oomheapdump.core.transfer.Fetch} reads several parts of the file at once through a
 * {@link dev.oomheapdump.core.transfer.TransferSource} (over JMX: the agent jar's {@code JmxArtifactSource}), appends
 * them in order to {@code OUT.part} while hashing them, keeps beside it a small record of which file it holds (size,
 * time, id), and renames it to {@code OUT} once its SHA-256 matches the one the source computed. A fetch that stopped
 * (a kill, a lost connection, a cancel) continues where it stopped, after checking that the file is still the same.
 *
 * <p>No JMX here: the command line and the JConsole tab drive the same engine with their own adapters and their own
 * progress display.
 */
package dev.oomheapdump.core.transfer;
