/**
 * The imr test kit: a deterministic simulator that runs the production engine and any strategy under
 * virtual time, with an in-memory network and stores that inject the faults of the specification's
 * section 3, checkers for the guarantees of its section 2, and {@link io.imr.testkit.StrategyCompatibilityKit},
 * the JUnit 5 class a strategy's tests extend. Public: {@link io.imr.testkit.Simulation},
 * {@link io.imr.testkit.SimulationSettings}, {@link io.imr.testkit.FaultProfile},
 * {@link io.imr.testkit.SeedResult}, {@link io.imr.testkit.SimulationReport},
 * {@link io.imr.testkit.StrategyComparison}, {@link io.imr.testkit.Violation}, {@link io.imr.testkit.PlantedBug},
 * {@link io.imr.testkit.OptionSpecWalk} (a configuration's builder and parser agree with its option specs);
 * everything else is package-private.
 */
package io.imr.testkit;
