package dev.oomheapdump.core.analysis;

/** Tags and basic types of the HPROF format (JDK's heapDumper.cpp), and the naming of classes. */
final class Hprof {

    static final int UTF8 = 0x01;
    static final int LOAD_CLASS = 0x02;
    static final int FRAME = 0x04;
    static final int TRACE = 0x05;
    static final int HEAP_DUMP = 0x0C;
    static final int HEAP_DUMP_SEGMENT = 0x1C;
    static final int HEAP_DUMP_END = 0x2C;

    static final int ROOT_UNKNOWN = 0xFF;
    static final int ROOT_JNI_GLOBAL = 0x01;
    static final int ROOT_JNI_LOCAL = 0x02;
    static final int ROOT_JAVA_FRAME = 0x03;
    static final int ROOT_NATIVE_STACK = 0x04;
    static final int ROOT_STICKY_CLASS = 0x05;
    static final int ROOT_THREAD_BLOCK = 0x06;
    static final int ROOT_MONITOR_USED = 0x07;
    static final int ROOT_THREAD_OBJECT = 0x08;
    static final int CLASS_DUMP = 0x20;
    static final int INSTANCE_DUMP = 0x21;
    static final int OBJ_ARRAY_DUMP = 0x22;
    static final int PRIM_ARRAY_DUMP = 0x23;

    static final int OBJECT = 2;
    static final int BOOLEAN = 4;
    static final int CHAR = 5;
    static final int FLOAT = 6;
    static final int DOUBLE = 7;
    static final int BYTE = 8;
    static final int SHORT = 9;
    static final int INT = 10;
    static final int LONG = 11;

    private Hprof() {
    }

    /** Size of a value of a basic type, -1 for an unknown type. */
    static int size(int type, int idSize) {
        switch (type) {
            case OBJECT: return idSize;
            case BOOLEAN: case BYTE: return 1;
            case CHAR: case SHORT: return 2;
            case FLOAT: case INT: return 4;
            case DOUBLE: case LONG: return 8;
            default: return -1;
        }
    }

    static String primitiveName(int type) {
        switch (type) {
            case BOOLEAN: return "boolean";
            case CHAR: return "char";
            case FLOAT: return "float";
            case DOUBLE: return "double";
            case BYTE: return "byte";
            case SHORT: return "short";
            case INT: return "int";
            case LONG: return "long";
            default: return "type" + type;
        }
    }

    /** The basic type of a primitive array from the JVM's name ({@code [B}), 0 when it is not one. */
    static int primitiveArrayType(String vmName) {
        if (vmName.length() != 2 || vmName.charAt(0) != '[') {
            return 0;
        }
        switch (vmName.charAt(1)) {
            case 'Z': return BOOLEAN;
            case 'C': return CHAR;
            case 'F': return FLOAT;
            case 'D': return DOUBLE;
            case 'B': return BYTE;
            case 'S': return SHORT;
            case 'I': return INT;
            case 'J': return LONG;
            default: return 0;
        }
    }

    /**
     * A class name as {@code Class.getTypeName()} prints it, from the JVM's internal form in LOAD_CLASS records
     * ({@code java/lang/String}, {@code [Ljava/lang/String;}, {@code [[I}).
     */
    static String typeName(String vmName) {
        int dims = 0;
        while (dims < vmName.length() && vmName.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return vmName.replace('/', '.');
        }
        String element = vmName.substring(dims);
        String base;
        if (element.startsWith("L") && element.endsWith(";")) {
            base = element.substring(1, element.length() - 1).replace('/', '.');
        } else if (element.length() == 1) {
            base = primitiveName(primitiveArrayType("[" + element));
        } else {
            base = element.replace('/', '.');
        }
        return base + "[]".repeat(dims);
    }
}
