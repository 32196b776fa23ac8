package dev.oomheapdump.core.trigger;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Rewrites {@code java.lang.OutOfMemoryError}, and nothing else, so that every constructor ends with
 * {@code aload_0; invokestatic java/lang/OomHeapdumpTrap.fired(Ljava/lang/Throwable;)V} just before each
 * {@code return}. Nothing moves and no branch target changes, so the existing stack map frames stay valid
 * and only the maximum stack is recomputed. Never throws: on any problem it leaves the class as it is and
 * keeps the reason for {@link OomTrap#install}.
 */
final class ConstructorHook implements ClassFileTransformer {

    private static final String TARGET = "java/lang/OutOfMemoryError";

    private volatile boolean enabled = true;
    private volatile int rewrittenReturns;
    private volatile Throwable failure;

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!enabled || classBeingRedefined != OutOfMemoryError.class || !TARGET.equals(className)) {
            return null;
        }
        try {
            return rewrite(classfileBuffer);
        } catch (Throwable t) {
            failure = t;
            return null;
        }
    }

    /** Stops rewriting: a later retransformation gives the class back its original bytes. */
    void disable() {
        enabled = false;
    }

    /** How many {@code return}s the last rewrite hooked; 0 when it did not run or failed. */
    int rewrittenReturns() {
        return rewrittenReturns;
    }

    Throwable failure() {
        return failure;
    }

    byte[] rewrite(byte[] original) {
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        int[] hooked = {0};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!"<init>".equals(name)) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.RETURN) {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, TrapBridge.INTERNAL_NAME, TrapBridge.METHOD,
                                    TrapBridge.DESCRIPTOR, false);
                            hooked[0]++;
                        }
                        super.visitInsn(opcode);
                    }
                };
            }
        }, 0);
        byte[] rewritten = writer.toByteArray();
        rewrittenReturns = hooked[0];
        return rewritten;
    }
}
