package io.imr.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of section 4 of the specification, checked on the compiled classes of every
 * module. A rule about modules that do not exist yet passes while they are absent and bites as
 * soon as they appear ({@link ModulesCoveredTest} makes sure they are then on this module's class
 * path).
 */
@AnalyzeClasses(packages = "io.imr", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String API = "io.imr.api..";
    private static final String WIRE = "io.imr.wire..";
    private static final String STORES = "io.imr.store..";
    private static final String STRATEGIES = "io.imr.strategy..";
    private static final String ENGINE = "io.imr.engine..";
    private static final String TRANSPORT = "io.imr.transport..";
    private static final String APP = "io.imr.app..";
    private static final String BENCH = "io.imr.bench..";

    @ArchTest
    static final ArchRule api_needs_nothing_but_the_jdk = classes().that().resideInAPackage(API)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", API)
            .because("every other module, third parties' strategies and the simulator depend on the api");

    @ArchTest
    static final ArchRule wire_and_stores_know_no_strategy = noClasses().that().resideInAnyPackage(WIRE, STORES)
            .should().dependOnClassesThat().resideInAnyPackage(STRATEGIES, ENGINE, TRANSPORT, APP)
            .because("the wire format and the stores serve every strategy alike");

    @ArchTest
    static final ArchRule wire_does_no_io = noClasses().that().resideInAPackage(WIRE)
            .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "org.mapdb..", "java.net..",
                    "java.nio.channels..")
            .because("the deterministic simulator runs the same codec over its in-memory network");

    @ArchTest
    static final ArchRule nothing_depends_on_the_application = noClasses().that().resideOutsideOfPackage(APP)
            .should().dependOnClassesThat().resideInAPackage(APP)
            .allowEmptyShould(true)
            .because("the application only assembles the other modules");

    @ArchTest
    static final ArchRule strategies_do_no_io = noClasses().that().resideInAPackage(STRATEGIES)
            .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "org.mapdb..",
                    "com.google.protobuf..", "com.google.inject..", "io.micrometer..", WIRE, STORES, ENGINE, TRANSPORT,
                    "java.io..", "java.nio..", "java.net..", "java.util.concurrent..")
            .allowEmptyShould(true)
            .because("strategies are sans-I/O state machines: events in, actions out (section 4)");

    @ArchTest
    static final ArchRule strategies_need_only_the_jdk_core_and_the_api = classes().that().resideInAPackage(STRATEGIES)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java.lang..", "java.util", "java.util.function..",
                    "java.time", API, STRATEGIES)
            .allowEmptyShould(true)
            .because("a strategy is a state machine over the api's events and actions, and nothing else");

    @ArchTest
    static final ArchRule strategies_read_no_clock_and_draw_no_randomness = noClasses().that()
            .resideInAnyPackage(STRATEGIES, "io.imr.api.strategy..")
            .and().doNotHaveFullyQualifiedName("io.imr.api.strategy.StrategyRegistry") // class loading, not a state machine
            .should().dependOnClassesThat(DescribedPredicate.describe("clocks, threads or random sources",
                    (JavaClass c) -> c.isEquivalentTo(Thread.class) || c.isEquivalentTo(java.util.Random.class)
                            || c.isEquivalentTo(java.time.Clock.class) || c.isEquivalentTo(java.time.Instant.class)
                            || c.isEquivalentTo(java.time.LocalDateTime.class) || c.isEquivalentTo(java.util.UUID.class)
                            || c.getName().equals("java.util.concurrent.ThreadLocalRandom")))
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethod(Math.class, "random")
            .allowEmptyShould(true)
            .because("the driver owns time and randomness, so a simulation replays exactly from its seed");

    @ArchTest
    static final ArchRule strategies_do_not_depend_on_each_other = slices().matching("io.imr.strategy.(*)..")
            .should().notDependOnEachOther()
            .ignoreDependency(DescribedPredicate.alwaysTrue(),
                    JavaClass.Predicates.resideInAPackage("io.imr.strategy.support.."))
            .allowEmptyShould(true)
            .because("logic two strategies share belongs in strategy-support");

    @ArchTest
    static final ArchRule transport_knows_no_strategy = noClasses().that().resideInAPackage(TRANSPORT)
            .should().dependOnClassesThat().resideInAPackage(STRATEGIES)
            .allowEmptyShould(true)
            .because("strategies are chosen by name at run time, never wired into the transport");

    @ArchTest
    static final ArchRule strategies_are_plugins = noClasses().that().resideOutsideOfPackage(STRATEGIES)
            .should().dependOnClassesThat().resideInAPackage(STRATEGIES)
            .because("strategies are found by name with ServiceLoader; nothing may wire one in directly");

    @ArchTest
    static final ArchRule engine_is_free_of_transport_and_storage = noClasses().that().resideInAPackage(ENGINE)
            .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "org.mapdb..", WIRE, STORES,
                    TRANSPORT, "io.imr.embed..", APP)
            .because("the simulator drives the very same engine with virtual time, an in-memory network and store");

    @ArchTest
    static final ArchRule transport_knows_no_store = noClasses().that().resideInAPackage(TRANSPORT)
            .should().dependOnClassesThat().resideInAnyPackage(STORES, "org.mapdb..")
            .because("storage never runs on an event loop: the transport only carries frames to the engine");

    @ArchTest
    static final ArchRule stores_and_transport_stay_apart = noClasses().that().resideInAPackage(STORES)
            .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..")
            .because("storage runs on its own writer thread, never on an event loop");

    @ArchTest
    static final ArchRule engine_internals_stay_in_the_engine = noClasses().that().resideOutsideOfPackage(ENGINE)
            .should().dependOnClassesThat().resideInAPackage("io.imr.engine.internal..")
            .because("engine.internal is the engine's own machinery (the half driver, the dispatcher, the commit"
                    + " wrapper): it may change in any release, so nothing outside the engine may use it");

    @ArchTest
    static final ArchRule the_bench_measures_imr_as_users_run_it = noClasses().that().resideInAPackage(BENCH)
            .should().dependOnClassesThat().resideInAnyPackage(WIRE, STORES, TRANSPORT, "io.imr.testkit..")
            .because("imr bench measures imr through its public Java API and command, as users run it");

    @ArchTest
    static final ArchRule the_peers_know_nothing_of_imr = noClasses().that().resideInAnyPackage(
                    "io.imr.bench.mqtt..", "io.imr.bench.jetstream..", "io.imr.bench.peer..")
            .should().dependOnClassesThat().resideInAnyPackage(API, ENGINE, "io.imr.embed..", STRATEGIES, WIRE,
                    STORES, TRANSPORT)
            .because("a peer is what users would run instead of imr: it must not borrow imr's code");
}
