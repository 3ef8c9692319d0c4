package dev.framewise.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Dockerfile as instructions and stages: enough to check what it copies where. */
record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {

    record Instruction(String keyword, String arguments) {
        /** The instruction's words, with --flags first: COPY --from=build a b -> [--from=build, a, b]. */
        List<String> words() {
            return List.of(arguments.trim().split("\\s+"));
        }

        String flag(String name) {
            for (String w : words()) {
                if (w.startsWith("--" + name + "=")) {
                    return w.substring(name.length() + 3);
                }
            }
            return null;
        }

        /** Sources and destination of a COPY, flags left out. */
        List<String> paths() {
            return words().stream().filter(w -> !w.startsWith("--")).toList();
        }
    }

    record Stage(String image, String name, String platform, Map<String, String> args, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        /** All RUN instructions of the stage as one text. */
        String runs() {
            StringBuilder b = new StringBuilder();
            all("RUN").forEach(i -> b.append(i.arguments()).append('\n'));
            return b.toString();
        }
    }

    private static final Pattern FROM = Pattern.compile("(?:--platform=(\\S+)\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?",
            Pattern.CASE_INSENSITIVE);

    static Dockerfile parse(Path file) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = null;
        for (String raw : Assets.read(file).split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                continue; // Docker drops comment lines, also inside a continued instruction
            }
            if (current == null) {
                if (line.isEmpty()) {
                    continue;
                }
                current = new StringBuilder();
            }
            boolean continued = line.endsWith("\\");
            current.append(continued ? line.substring(0, line.length() - 1) : line).append(continued ? " " : "");
            if (!continued) {
                String text = current.toString().strip();
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
                current = null;
            }
        }

        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        Stage stage = null;
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                Matcher m = FROM.matcher(i.arguments().strip());
                if (!m.matches()) {
                    throw new AssertionError("cannot read FROM " + i.arguments());
                }
                stage = new Stage(substitute(m.group(2), globalArgs), m.group(3), m.group(1), new LinkedHashMap<>(),
                        new ArrayList<>());
                stages.add(stage);
            } else if (i.keyword().equals("ARG")) {
                String[] kv = i.arguments().strip().split("=", 2);
                (stage == null ? globalArgs : stage.args()).put(kv[0], kv.length > 1 ? kv[1] : "");
            } else if (stage != null) {
                stage.instructions().add(i);
            }
        }
        return new Dockerfile(globalArgs, stages);
    }

    static String substitute(String text, Map<String, String> args) {
        // Longest names first, so that $MODEL does not eat the start of $MODEL_ARCH.
        List<String> names = new ArrayList<>(args.keySet());
        names.sort((a, b) -> b.length() - a.length());
        String out = text;
        for (String name : names) {
            out = out.replace("${" + name + "}", args.get(name)).replace("$" + name, args.get(name));
        }
        return out;
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name));
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }
}
