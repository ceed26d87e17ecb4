package io.imr.engine.internal;

import io.imr.engine.EngineRuntime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The one place where an engine hands a commit to its store. Whatever the store does (completes
 * the stage, fails it, or throws before returning one), the outcome reaches {@code outcome} exactly
 * once, on the engine's context, after the caller returned: so a caller can set its "a commit
 * runs" flag before or after calling, and a store that throws synchronously can never leave that
 * flag set for good.
 *
 * <p>May not: retry, log or interpret the outcome (each caller knows what a failure means for it).
 */
public final class StoreCommits {

    private StoreCommits() {
    }

    /**
     * Runs {@code commit} now and {@code outcome} on the engine's context when it returned.
     *
     * @param commit  starts the commit: {@code () -> store.commit(...)}
     * @param outcome the result, or null and the failure (a synchronous throw arrives here as a failure)
     */
    public static <T> void submit(EngineRuntime runtime, Supplier<? extends CompletionStage<T>> commit,
                                  BiConsumer<? super T, Throwable> outcome) {
        CompletionStage<T> stage;
        try {
            stage = commit.get();
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new IllegalStateException("the store returned no stage"));
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((value, error) -> runtime.execute(() -> outcome.accept(error == null ? value : null,
                unwrap(error))));
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
