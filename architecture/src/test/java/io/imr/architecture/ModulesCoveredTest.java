package io.imr.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The layering rules only see modules on this module's class path: make sure none is missing. */
class ModulesCoveredTest {

    /** Modules without production code of their own to check. */
    private static final Set<String> NOT_CHECKED = Set.of("bom", "architecture", "benchmarks");

    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    @Test
    @DisplayName("the architecture module depends on every module of the reactor")
    void everyModuleIsOnTheClassPath() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String architecturePom = Files.readString(root.resolve("architecture/pom.xml"));
        List<String> missing = new ArrayList<>();
        Matcher modules = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        int checked = 0;
        while (modules.find()) {
            String module = modules.group(1).trim();
            if (NOT_CHECKED.contains(module)) {
                continue;
            }
            String artifactId = ownArtifactId(Files.readString(root.resolve(module).resolve("pom.xml")));
            checked++;
            if (!architecturePom.contains("<artifactId>" + artifactId + "</artifactId>")) {
                missing.add(module + " (" + artifactId + ")");
            }
        }
        assertThat(checked).as("modules found in the root pom").isGreaterThanOrEqualTo(3);
        assertThat(missing).as("modules the architecture rules cannot see; add them to architecture/pom.xml")
                .isEmpty();
    }

    /** The module's own artifactId: the first one after the parent block. */
    private static String ownArtifactId(String pom) {
        int afterParent = pom.indexOf("</parent>");
        Matcher m = ARTIFACT.matcher(pom);
        if (!m.find(Math.max(afterParent, 0))) {
            throw new IllegalStateException("no artifactId in pom");
        }
        return m.group(1);
    }
}
