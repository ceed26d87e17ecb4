package io.imr.strategy.ack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The ack strategy is a sans-I/O state machine (section 4 of the specification). */
@AnalyzeClasses(packages = "io.imr.strategy.ack", importOptions = ImportOption.DoNotIncludeTests.class)
class SansIoRulesTest {

    @ArchTest
    static final ArchRule only_the_jdk_the_api_and_strategy_support = classes().should().onlyDependOnClassesThat()
            .resideInAnyPackage("java.lang..", "java.util", "java.util.function..", "java.time", "io.imr.api..",
                    "io.imr.strategy.ack..", "io.imr.strategy.support..")
            .because("a strategy depends on no other strategy and on nothing that does I/O");

    @ArchTest
    static final ArchRule no_io_threads_or_concurrency = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.util.concurrent..")
            .because("strategies are sans-I/O state machines: events in, actions out");

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
