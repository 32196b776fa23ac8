package dev.oomheapdump.core.trigger;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The rewrite itself, in-process, on the running JDK's own {@code OutOfMemoryError}. */
class ConstructorHookTest {

    private static final String BRIDGE_CALL = "INVOKESTATIC " + TrapBridge.INTERNAL_NAME + "." + TrapBridge.METHOD;

    private static byte[] jdkBytes(Class<?> type) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Per method: its name and the opcodes that matter here, as text. */
    private static List<String> listing(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitVarInsn(int opcode, int varIndex) {
                        lines.add(name + descriptor + " " + (opcode == Opcodes.ALOAD ? "ALOAD " : opcode + " ") + varIndex);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        lines.add(name + descriptor + " " + (opcode == Opcodes.INVOKESTATIC ? "INVOKESTATIC " : "INVOKE ")
                                + owner + "." + method);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.RETURN) {
                            lines.add(name + descriptor + " RETURN");
                        }
                    }
                };
            }
        }, 0);
        return lines;
    }

    @Test
    void everyConstructorCallsTheBridgeWithThisJustBeforeReturning() throws IOException {
        ConstructorHook hook = new ConstructorHook();
        byte[] rewritten = hook.transform(Object.class.getModule(), null, "java/lang/OutOfMemoryError",
                OutOfMemoryError.class, null, jdkBytes(OutOfMemoryError.class));
        assertNotNull(rewritten, () -> String.valueOf(hook.failure()));
        List<String> lines = listing(rewritten);
        int returns = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith(" RETURN")) {
                returns++;
                String method = lines.get(i).substring(0, lines.get(i).indexOf(' '));
                assertEquals(method + " ALOAD 0", lines.get(i - 2), lines::toString);
                assertEquals(method + " " + BRIDGE_CALL, lines.get(i - 1), lines::toString);
            }
        }
        assertEquals(OutOfMemoryError.class.getDeclaredConstructors().length, returns, lines::toString);
        assertEquals(returns, hook.rewrittenReturns());
        assertEquals(returns, lines.stream().filter(l -> l.endsWith(BRIDGE_CALL)).count(), lines::toString);
    }

    @Test
    void otherClassesAndFirstLoadsAreLeftAlone() throws IOException {
        ConstructorHook hook = new ConstructorHook();
        byte[] error = jdkBytes(Error.class);
        assertNull(hook.transform(null, null, "java/lang/Error", Error.class, null, error));
        assertNull(hook.transform(null, null, "java/lang/OutOfMemoryError", null, null,
                jdkBytes(OutOfMemoryError.class)), "not while the class is first loaded");
        assertNull(hook.transform(null, null, "java/lang/OutOfMemoryError", StackOverflowError.class, null, error));
        assertEquals(0, hook.rewrittenReturns());
    }

    @Test
    void disabledHookGivesBackTheOriginal() throws IOException {
        ConstructorHook hook = new ConstructorHook();
        hook.disable();
        assertNull(hook.transform(null, null, "java/lang/OutOfMemoryError", OutOfMemoryError.class, null,
                jdkBytes(OutOfMemoryError.class)));
    }

    @Test
    void unreadableClassFileIsReportedNotThrown() {
        ConstructorHook hook = new ConstructorHook();
        byte[] garbage = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0x7f, 0x7f};
        assertNull(hook.transform(null, null, "java/lang/OutOfMemoryError", OutOfMemoryError.class, null, garbage));
        assertNotNull(hook.failure());
        assertEquals(0, hook.rewrittenReturns());
    }

    @Test
    void bridgeClassFileNamesItselfInJavaLang() {
        byte[] bytes = TrapBridge.bytes();
        assertEquals(TrapBridge.INTERNAL_NAME, new ClassReader(bytes).getClassName());
        assertArrayEquals(bytes, TrapBridge.bytes(), "generated the same way every time");
    }
}
