package dev.oomheapdump.core.trigger;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The class that the rewritten {@code OutOfMemoryError} constructors call. It must be visible to the
 * bootstrap class loader, so it is generated here and defined into package {@code java.lang} of
 * {@code java.base} through a private {@link MethodHandles.Lookup} on {@code OutOfMemoryError}: no file on
 * disk, nothing added to any class path. Its equivalent source:
 *
 * <pre>{@code
 * package java.lang;
 * final class OomHeapdumpTrap {                      // package-private: nothing public is added to java.lang
 *     private static volatile Consumer handler;
 *     private static final AtomicReference inside = new AtomicReference();
 *     static void fired(Throwable error) {
 *         Consumer h = handler;
 *         if (h == null) return;
 *         if (!inside.compareAndSet(null, Thread.currentThread())) return;   // re-entry, or another thread inside
 *         try { h.accept(error); } catch (Throwable ignored) { } finally { inside.set(null); }
 *     }
 * }
 * }</pre>
 *
 * <p>The name and the layout are a contract between every copy of this agent that may run in one JVM (the
 * class outlives the copy that defined it): change either only together with {@link #NAME}.
 */
final class TrapBridge {

    static final String NAME = "java.lang.OomHeapdumpTrap";
    static final String INTERNAL_NAME = NAME.replace('.', '/');
    static final String METHOD = "fired";
    static final String DESCRIPTOR = "(Ljava/lang/Throwable;)V";
    static final String HANDLER_FIELD = "handler";

    private static final String CONSUMER = "java/util/function/Consumer";
    private static final String ATOMIC = "java/util/concurrent/atomic/AtomicReference";
    private static final String INSIDE_FIELD = "inside";

    private TrapBridge() {
    }

    /**
     * The bridge's handler field, defining the bridge first when no earlier install in this JVM did.
     *
     * @throws Exception anything the module system or the lookup refuses; the caller reports it
     */
    static VarHandle handlerField(Instrumentation inst) throws Exception {
        Module ours = TrapBridge.class.getModule();
        Module base = OutOfMemoryError.class.getModule();
        if (!base.isOpen("java.lang", ours)) {
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(ours)), Set.of(), Map.of());
        }
        Class<?> bridge = existing();
        if (bridge == null) {
            MethodHandles.Lookup inJavaLang = MethodHandles.privateLookupIn(OutOfMemoryError.class, MethodHandles.lookup());
            try {
                bridge = inJavaLang.defineClass(bytes());
            } catch (LinkageError raced) {
                // another copy of the agent defined it between our look and our define
                bridge = existing();
                if (bridge == null) {
                    throw raced;
                }
            }
        }
        MethodHandles.Lookup inBridge = MethodHandles.privateLookupIn(bridge, MethodHandles.lookup());
        inBridge.ensureInitialized(bridge);   // no class initialisation on the first failing thread
        return inBridge.findStaticVarHandle(bridge, HANDLER_FIELD, Consumer.class);
    }

    private static Class<?> existing() {
        try {
            return Class.forName(NAME, false, null);
        } catch (ClassNotFoundException notYet) {
            return null;
        }
    }

    /** The bridge's class file. Frames are written by hand: ASM must not load classes to compute them. */
    static byte[] bytes() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V11, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC,
                INTERNAL_NAME, null, "java/lang/Object", null);
        cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE,
                HANDLER_FIELD, "L" + CONSUMER + ";", null, null).visitEnd();
        cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
                INSIDE_FIELD, "L" + ATOMIC + ";", null, null).visitEnd();

        MethodVisitor init = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        init.visitCode();
        init.visitTypeInsn(Opcodes.NEW, ATOMIC);
        init.visitInsn(Opcodes.DUP);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, ATOMIC, "<init>", "()V", false);
        init.visitFieldInsn(Opcodes.PUTSTATIC, INTERNAL_NAME, INSIDE_FIELD, "L" + ATOMIC + ";");
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        writeFired(cw.visitMethod(Opcodes.ACC_STATIC, METHOD, DESCRIPTOR, null, null));
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static void writeFired(MethodVisitor mv) {
        Object[] claimed = {"java/lang/Throwable", CONSUMER};
        Label haveHandler = new Label();
        Label mine = new Label();
        Label tryEnd = new Label();
        Label caught = new Label();
        Label release = new Label();
        mv.visitCode();
        mv.visitTryCatchBlock(mine, tryEnd, caught, "java/lang/Throwable");
        // Consumer h = handler; if (h == null) return;
        mv.visitFieldInsn(Opcodes.GETSTATIC, INTERNAL_NAME, HANDLER_FIELD, "L" + CONSUMER + ";");
        mv.visitVarInsn(Opcodes.ASTORE, 1);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitJumpInsn(Opcodes.IFNONNULL, haveHandler);
        mv.visitInsn(Opcodes.RETURN);
        // if (!inside.compareAndSet(null, Thread.currentThread())) return;
        mv.visitLabel(haveHandler);
        mv.visitFrame(Opcodes.F_NEW, 2, claimed, 0, new Object[0]);
        mv.visitFieldInsn(Opcodes.GETSTATIC, INTERNAL_NAME, INSIDE_FIELD, "L" + ATOMIC + ";");
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Thread", "currentThread", "()Ljava/lang/Thread;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, ATOMIC, "compareAndSet", "(Ljava/lang/Object;Ljava/lang/Object;)Z", false);
        mv.visitJumpInsn(Opcodes.IFNE, mine);
        mv.visitInsn(Opcodes.RETURN);
        // try { h.accept(error); } catch (Throwable ignored) { }
        mv.visitLabel(mine);
        mv.visitFrame(Opcodes.F_NEW, 2, claimed, 0, new Object[0]);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONSUMER, "accept", "(Ljava/lang/Object;)V", true);
        mv.visitLabel(tryEnd);
        mv.visitJumpInsn(Opcodes.GOTO, release);
        mv.visitLabel(caught);
        mv.visitFrame(Opcodes.F_NEW, 2, claimed, 1, new Object[] {"java/lang/Throwable"});
        mv.visitInsn(Opcodes.POP);
        // inside.set(null);
        mv.visitLabel(release);
        mv.visitFrame(Opcodes.F_NEW, 2, claimed, 0, new Object[0]);
        mv.visitFieldInsn(Opcodes.GETSTATIC, INTERNAL_NAME, INSIDE_FIELD, "L" + ATOMIC + ";");
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, ATOMIC, "set", "(Ljava/lang/Object;)V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
