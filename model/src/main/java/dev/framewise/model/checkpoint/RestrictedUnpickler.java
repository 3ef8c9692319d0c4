package dev.framewise.model.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the pickle that {@code torch.save} writes without executing anything in it.
 *
 * <p>Python's unpickler imports any global a file names and calls it; a checkpoint can therefore
 * run arbitrary code. This one is a small stack machine that knows the opcodes of pickle protocols
 * 2-5 and an allow-list of the globals torch writes into checkpoints ({@code collections.OrderedDict},
 * torch's tensor rebuild functions and storage types). Those are interpreted here, in Java; any
 * other global fails the read with its name.
 */
final class RestrictedUnpickler {

    /** A global the file named and the allow-list admits. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** A storage the pickle refers to by key; its bytes live in the zip beside the pickle. */
    record StorageRef(DType dtype, String key, long numel) {
    }

    /** What {@code torch._utils._rebuild_tensor_v2} would build: a strided view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    static final Set<String> ALLOWED_GLOBALS = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state",
            "_codecs.encode",
            "torch.DoubleStorage", "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage",
            "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage",
            "torch.ByteStorage", "torch.BoolStorage");

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final ByteBuffer in;
    private final String source;
    private final Function<Tuple, Object> persistentLoad;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] pickle, String source, Function<Tuple, Object> persistentLoad) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.persistentLoad = persistentLoad;
    }

    /**
     * Unpickles {@code pickle}. Persistent ids (torch's storages) go to {@code persistentLoad}.
     *
     * @param source names the data in error messages
     */
    static Object load(byte[] pickle, String source, Function<Tuple, Object> persistentLoad) {
        return new RestrictedUnpickler(pickle, source, persistentLoad).run();
    }

    private Object run() {
        try {
            while (true) {
                int pos = in.position();
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = in.get() & 0xff;
                        if (proto < 2 || proto > 5) {
                            throw corrupt("pickle protocol " + proto + " is not one torch writes", pos);
                        }
                    }
                    case 0x95 -> in.getLong(); // FRAME: a length hint only
                    case '.' -> { // STOP
                        if (stack.size() != 1) {
                            throw corrupt("pickle ends with " + stack.size() + " values on the stack", pos);
                        }
                        return stack.get(0);
                    }
                    case '(' -> push(MARK);
                    case ')' -> push(new Tuple(List.of()));
                    case 't' -> push(new Tuple(popMark(pos)));
                    case 0x85 -> push(tuple(pop(pos)));
                    case 0x86 -> {
                        Object b = pop(pos);
                        push(tuple(pop(pos), b));
                    }
                    case 0x87 -> {
                        Object c = pop(pos);
                        Object b = pop(pos);
                        push(tuple(pop(pos), b, c));
                    }
                    case ']' -> push(new ArrayList<>());
                    case '}' -> push(new LinkedHashMap<>());
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'K' -> push((long) (in.get() & 0xff));
                    case 'M' -> push((long) (in.getShort() & 0xffff));
                    case 'J' -> push((long) in.getInt());
                    case 0x8a -> push(readLong(in.get() & 0xff, pos)); // LONG1
                    case 0x8b -> push(readLong(length(in.getInt(), pos), pos)); // LONG4
                    case 'G' -> { // BINFLOAT, the one big-endian value
                        in.order(ByteOrder.BIG_ENDIAN);
                        double d = in.getDouble();
                        in.order(ByteOrder.LITTLE_ENDIAN);
                        push(d);
                    }
                    case 'X' -> push(utf8(length(in.getInt(), pos)));
                    case 0x8c -> push(utf8(in.get() & 0xff)); // SHORT_BINUNICODE
                    case 0x8d -> push(utf8(length(in.getLong(), pos))); // BINUNICODE8
                    case 'T' -> push(latin1(length(in.getInt(), pos))); // BINSTRING
                    case 'U' -> push(latin1(in.get() & 0xff)); // SHORT_BINSTRING
                    case 'B' -> push(bytes(length(in.getInt(), pos)));
                    case 'C' -> push(bytes(in.get() & 0xff));
                    case 0x8e -> push(bytes(length(in.getLong(), pos))); // BINBYTES8
                    case 'q' -> memo.put((long) (in.get() & 0xff), peek(pos)); // BINPUT
                    case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek(pos)); // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), peek(pos)); // MEMOIZE
                    case 'h' -> push(memoGet(in.get() & 0xff, pos)); // BINGET
                    case 'j' -> push(memoGet(in.getInt() & 0xffffffffL, pos)); // LONG_BINGET
                    case 'c' -> push(global(readLine(pos), readLine(pos), pos)); // GLOBAL
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop(pos);
                        Object module = pop(pos);
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw corrupt("STACK_GLOBAL needs two strings", pos);
                        }
                        push(global(m, n, pos));
                    }
                    case 'Q' -> { // BINPERSID
                        Object pid = pop(pos);
                        if (!(pid instanceof Tuple t)) {
                            throw corrupt("persistent id is not a tuple", pos);
                        }
                        push(persistentLoad.apply(t));
                    }
                    case 'R' -> { // REDUCE
                        Object args = pop(pos);
                        Object callable = pop(pos);
                        if (!(args instanceof Tuple t)) {
                            throw corrupt("REDUCE arguments are not a tuple", pos);
                        }
                        push(call(callable, t, pos));
                    }
                    case 'b' -> { // BUILD: state of an object; OrderedDict's _metadata and tensor flags carry nothing we need
                        Object state = pop(pos);
                        Object target = peek(pos);
                        if (!(target instanceof Map) && !(target instanceof TensorRef)) {
                            throw corrupt("BUILD on " + describe(target), pos);
                        }
                        if (state != null && !(state instanceof Map) && !(state instanceof Tuple)) {
                            throw corrupt("BUILD with state " + describe(state), pos);
                        }
                    }
                    case 'a' -> { // APPEND
                        Object v = pop(pos);
                        list(peek(pos), pos).add(v);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark(pos);
                        list(peek(pos), pos).addAll(items);
                    }
                    case 's' -> { // SETITEM
                        Object v = pop(pos);
                        Object k = pop(pos);
                        dict(peek(pos), pos).put(k, v);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark(pos);
                        if (items.size() % 2 != 0) {
                            throw corrupt("SETITEMS with an odd number of items", pos);
                        }
                        Map<Object, Object> d = dict(peek(pos), pos);
                        for (int i = 0; i < items.size(); i += 2) {
                            d.put(items.get(i), items.get(i + 1));
                        }
                    }
                    case '0' -> pop(pos); // POP
                    case '1' -> popMark(pos); // POP_MARK
                    case '2' -> push(peek(pos)); // DUP
                    default -> throw corrupt(String.format("unsupported pickle opcode 0x%02x", op), pos);
                }
            }
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CheckpointException(source + " is truncated or corrupt: its pickle ends in the middle of a value");
        }
    }

    private Object global(String module, String name, int pos) {
        String qualified = module + "." + name;
        if (!ALLOWED_GLOBALS.contains(qualified)) {
            throw new CheckpointException(source + " refers to the Python global '" + qualified
                    + "', which is not one of the globals torch.save writes for tensors; refusing to read it"
                    + " (Framewise never runs code from a checkpoint; re-save the state dict alone, or as safetensors)");
        }
        return new Global(module, name);
    }

    private Object call(Object callable, Tuple args, int pos) {
        if (!(callable instanceof Global g)) {
            throw corrupt("REDUCE on " + describe(callable), pos);
        }
        switch (g.toString()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> d = new LinkedHashMap<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof Tuple t) || t.size() != 2) {
                            throw corrupt("OrderedDict item " + describe(p) + " is not a pair", pos);
                        }
                        d.put(t.get(0), t.get(1));
                    }
                } else if (args.size() != 0) {
                    throw corrupt("OrderedDict with arguments " + describe(args), pos);
                }
                return d;
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (args.size() < 4 || !(args.get(0) instanceof StorageRef storage)) {
                    throw corrupt("_rebuild_tensor_v2 without a storage", pos);
                }
                long offset = asLong(args.get(1), pos);
                long[] size = longs(args.get(2), pos);
                long[] stride = longs(args.get(3), pos);
                if (size.length != stride.length) {
                    throw corrupt("tensor size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
                            + " differ in rank", pos);
                }
                return new TensorRef(storage, offset, size, stride);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.size() < 1 || !(args.get(0) instanceof TensorRef t)) {
                    throw corrupt("_rebuild_parameter without a tensor", pos);
                }
                return t;
            }
            case "_codecs.encode" -> {
                if (args.size() < 1 || !(args.get(0) instanceof String s)) {
                    throw corrupt("_codecs.encode without a string", pos);
                }
                return s.getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> throw new CheckpointException(source + " calls " + g + ", which is not a function a state dict needs");
        }
    }

    private static Tuple tuple(Object... items) {
        return new Tuple(Arrays.asList(items));
    }

    private long asLong(Object o, int pos) {
        if (o instanceof Long l) {
            return l;
        }
        throw corrupt("expected an integer, found " + describe(o), pos);
    }

    private long[] longs(Object o, int pos) {
        if (!(o instanceof Tuple t)) {
            throw corrupt("expected a tuple of integers, found " + describe(o), pos);
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(t.get(i), pos);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int pos) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw corrupt("APPEND to " + describe(o), pos);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int pos) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw corrupt("SETITEM on " + describe(o), pos);
    }

    private Object readLong(int n, int pos) {
        if (n == 0) {
            return 0L;
        }
        byte[] le = bytes(n);
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        if (v.bitLength() > 63) {
            throw corrupt("integer too large: " + v, pos);
        }
        return v.longValue();
    }

    private int length(long n, int pos) {
        if (n < 0 || n > in.remaining()) {
            throw new CheckpointException(source + " is truncated or corrupt: a value of " + n
                    + " bytes at offset " + pos + " runs past the end of the pickle");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n, in.position())];
        in.get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String readLine(int pos) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() > 256) {
                throw corrupt("global name too long", pos);
            }
            sb.append((char) (b & 0xff));
        }
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(int pos) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw corrupt("stack underflow", pos);
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int pos) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw corrupt("stack underflow", pos);
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(int pos) {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw corrupt("no MARK on the stack", pos);
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key, int pos) {
        if (!memo.containsKey(key)) {
            throw corrupt("memo entry " + key + " was never stored", pos);
        }
        return memo.get(key);
    }

    private CheckpointException corrupt(String what, int pos) {
        return new CheckpointException(source + " is corrupt: " + what + " (pickle offset " + pos + ")");
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.toString();
        }
        return o.getClass().getSimpleName();
    }
}
