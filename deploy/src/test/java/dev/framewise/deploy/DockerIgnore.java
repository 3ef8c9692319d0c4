package dev.framewise.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A .dockerignore: patterns in order, the last one that matches a path (or a folder above it) wins,
 * '!' re-includes, '**' spans folders. Enough for this project's file, which the test keeps simple.
 */
final class DockerIgnore {
    private record Rule(Pattern pattern, boolean include) {
    }

    private final List<Rule> rules = new ArrayList<>();

    DockerIgnore(Path file) {
        for (String raw : Assets.read(file).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean include = line.startsWith("!");
            String glob = (include ? line.substring(1) : line).replaceAll("^/+", "").replaceAll("/+$", "");
            rules.add(new Rule(Pattern.compile(toRegex(glob)), include));
        }
    }

    private static String toRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i)) {
                b.append("(?:.*/)?");
                i += 2;
            } else if (glob.startsWith("**", i)) {
                b.append(".*");
                i += 1;
            } else if (c == '*') {
                b.append("[^/]*");
            } else if (c == '?') {
                b.append("[^/]");
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.toString();
    }

    /** Whether a path of the build context (relative, with '/') reaches the build. */
    boolean included(String path) {
        boolean included = true;
        for (Rule r : rules) {
            if (matchesItselfOrAFolderAbove(r.pattern(), path)) {
                included = r.include();
            }
        }
        return included;
    }

    private static boolean matchesItselfOrAFolderAbove(Pattern p, String path) {
        String candidate = path;
        while (true) {
            if (p.matcher(candidate).matches()) {
                return true;
            }
            int slash = candidate.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            candidate = candidate.substring(0, slash);
        }
    }
}
