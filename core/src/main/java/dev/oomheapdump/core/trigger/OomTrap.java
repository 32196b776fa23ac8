package dev.oomheapdump.core.trigger;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Calls a handler whenever an {@link OutOfMemoryError} is constructed: the OOMs that HotSpot's own hook
 * ({@code HeapDumpOnOutOfMemoryError}) never sees because Java code or the VM makes them through a
 * constructor — "Direct buffer memory", a library's own subclass (Netty's {@code OutOfDirectMemoryError}),
 * "unable to create native thread", "Required array length too large", any {@code new OutOfMemoryError(..)}.
 * The JVM's heap, Metaspace and array-size OOMs are preallocated and run no constructor, so the trap and
 * the hook never both react to one error.
 *
 * <p>How: {@code OutOfMemoryError}'s constructors are retransformed to call a tiny generated class,
 * {@code java.lang.OomHeapdumpTrap}, just before they return; subclasses reach it through {@code super(..)}.
 * That class is defined into {@code java.base} at runtime, so nothing is added to any class path. The transformer is
 * removed as soon as the class is rewritten: while an agent keeps one, the JVM calls into {@code java.lang.instrument}
 * at every class load, and a class loaded during an OOM makes it print assertion failures into the application's
 * output. The price: another agent that retransforms {@code OutOfMemoryError} later takes the trap out.
 *
 * <p>The handler runs synchronously on the failing thread, inside the constructor, before the error is
 * thrown — so a heap dump taken there shows the heap as it was at the failure. Rules for the handler:
 * <ul>
 *   <li>It is called for every constructed {@code OutOfMemoryError}, thrown or not; rate-limit in the handler.</li>
 *   <li>For a subclass, the subclass's own fields are not yet set (its constructor has not finished); the class,
 *       message and stack trace are.</li>
 *   <li>Anything it throws is swallowed: the application always gets its original error.</li>
 *   <li>One thread at a time: an OOM constructed while a handler call is running — on the same thread (the
 *       handler itself ran out of memory) or on another thread — does not call the handler. Other threads are
 *       not made to wait behind a heap dump that may take seconds; their error goes on to the application.</li>
 * </ul>
 *
 * <p>At most one trap is installed per JVM (the generated class is shared by every copy of this agent).
 */
public final class OomTrap implements AutoCloseable {

    private static final Object LOCK = new Object();
    private static volatile String lastFailure = "";

    private final Instrumentation inst;
    private final ConstructorHook hook;
    private final VarHandle handlerField;
    private final Consumer<OutOfMemoryError> handler;
    private boolean closed;

    private OomTrap(Instrumentation inst, ConstructorHook hook, VarHandle handlerField,
                    Consumer<OutOfMemoryError> handler) {
        this.inst = inst;
        this.hook = hook;
        this.handlerField = handlerField;
        this.handler = handler;
    }

    /**
     * Installs the trap. Never throws: when the JVM cannot retransform {@code OutOfMemoryError} (the agent's
     * manifest lacks {@code Can-Retransform-Classes: true}, or the class cannot be modified), when another
     * trap is installed already, or when anything fails, nothing stays installed and the result is empty;
     * {@link #lastFailure()} says why. Takes some 25–100 ms the first time in a JVM (loading ASM, one
     * retransformation), a few ms after that.
     *
     * @param inst    the agent's instrumentation
     * @param handler called with each constructed {@code OutOfMemoryError}, see the class comment
     * @return the installed trap, to {@link #close()} when done
     */
    public static Optional<OomTrap> install(Instrumentation inst, Consumer<OutOfMemoryError> handler) {
        Objects.requireNonNull(inst, "inst");
        Objects.requireNonNull(handler, "handler");
        synchronized (LOCK) {
            try {
                OomTrap trap = tryInstall(inst, handler);
                lastFailure = "";
                return Optional.of(trap);
            } catch (Refusal refusal) {
                lastFailure = refusal.getMessage();
            } catch (Throwable t) {
                lastFailure = "OOM trap not installed: " + t;
            }
            return Optional.empty();
        }
    }

    /** Why the last {@link #install} returned empty; empty when it succeeded or never ran. */
    public static String lastFailure() {
        return lastFailure;
    }

    private static OomTrap tryInstall(Instrumentation inst, Consumer<OutOfMemoryError> handler) throws Exception {
        if (!inst.isRetransformClassesSupported()) {
            throw new Refusal("OOM trap not installed: this agent cannot retransform classes"
                    + " (its manifest needs Can-Retransform-Classes: true)");
        }
        if (!inst.isModifiableClass(OutOfMemoryError.class)) {
            throw new Refusal("OOM trap not installed: this JVM does not let agents modify java.lang.OutOfMemoryError");
        }
        VarHandle handlerField = TrapBridge.handlerField(inst);
        if (!handlerField.compareAndSet(null, handler)) {
            throw new Refusal("OOM trap not installed: another OOM trap is installed in this JVM");
        }
        ConstructorHook hook = new ConstructorHook();
        OomTrap trap = new OomTrap(inst, hook, handlerField, handler);
        try {
            inst.addTransformer(hook, true);
            try {
                inst.retransformClasses(OutOfMemoryError.class);
            } finally {
                // the rewritten class stays; with no transformer left the JVM stops calling the agent at every class
                // load, where an OOM made java.lang.instrument print assertion failures into the application's output
                inst.removeTransformer(hook);
            }
            if (hook.rewrittenReturns() == 0) {
                Throwable why = hook.failure();
                throw new Refusal("OOM trap not installed: could not rewrite java.lang.OutOfMemoryError"
                        + (why == null ? " (no constructor return found)" : ": " + why));
            }
        } catch (Throwable t) {
            trap.close();
            throw t;
        }
        return trap;
    }

    /**
     * Stops calling the handler at once, then gives {@code OutOfMemoryError} back its original bytes (best
     * effort: if the JVM refuses, the rewritten constructors stay and call a bridge without a handler, which
     * returns at once). A handler call already running on another thread finishes. Idempotent.
     */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (closed) {
                return;
            }
            closed = true;
            handlerField.compareAndSet(handler, null);
            hook.disable();
            inst.removeTransformer(hook); // already gone after a good install; a failed one may have left it
            try {
                inst.retransformClasses(OutOfMemoryError.class); // no transformer: the original bytes come back
            } catch (Throwable ignored) {
                // best effort: without a handler the remaining call costs one volatile read
            }
        }
    }

    /** A reason for not installing that is ours to word, not an exception to show. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message, null, false, false);
        }
    }
}
