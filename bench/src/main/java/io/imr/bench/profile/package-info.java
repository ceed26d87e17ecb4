/**
 * Where the time goes: the share of each process's CPU samples that each stage of delivery took
 * (encode, decode, CRC, dedup, seq assignment, store commit, strategy, engine, transport,
 * listener, GC and JVM, other), from JDK Flight Recorder recordings read with the JDK's own
 * {@code jdk.jfr.consumer} API.
 *
 * <pre>{@code
 * // on each process's command line, before the main class:
 * List<String> flags = StageProfiler.jvmFlags(dir.resolve("server.jfr"));
 * // ... run; stop each process normally (the recording is written as the JVM exits) ...
 * StageProfile server = StageProfiler.analyze(dir.resolve("server.jfr"), "server", measuredFrom, measuredTo);
 * String table = StageProfile.toMarkdown(List.of(sender, server, receiver));
 * String json = StageProfile.toJson(List.of(sender, server, receiver));
 * }</pre>
 *
 * <p>{@link io.imr.bench.profile.StageRules} holds the rules that say which code counts for which
 * stage, in one ordered list; {@link io.imr.bench.profile.StageProfiler} says what the samples
 * cannot see.
 */
package io.imr.bench.profile;
