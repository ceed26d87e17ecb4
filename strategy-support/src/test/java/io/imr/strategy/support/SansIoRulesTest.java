package io.imr.strategy.support;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Strategy support is sans-I/O like the strategies that use it (section 4 of the specification). */
@AnalyzeClasses(packages = "io.imr.strategy.support", importOptions = ImportOption.DoNotIncludeTests.class)
class SansIoRulesTest {

    @ArchTest
    static final ArchRule no_io_threads_or_concurrency = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.util.concurrent..", "io.imr.strategy.ack..")
            .because("support code runs inside sans-I/O state machines, for every strategy alike");

    @ArchTest
    static final ArchRule no_clock_or_randomness = noClasses().should()
            .dependOnClassesThat(DescribedPredicate.describe("clocks, threads or random sources",
                    (JavaClass c) -> c.isEquivalentTo(Thread.class) || c.isEquivalentTo(java.util.Random.class)
                            || c.isEquivalentTo(java.time.Clock.class) || c.isEquivalentTo(java.time.Instant.class)
                            || c.isEquivalentTo(java.time.LocalDateTime.class) || c.isEquivalentTo(java.util.UUID.class)
                            || c.getName().equals("java.util.concurrent.ThreadLocalRandom")))
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethod(Math.class, "random")
            .because("the driver owns time and randomness, so a simulation replays exactly from its seed");
}
