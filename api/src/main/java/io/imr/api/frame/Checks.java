package io.imr.api.frame;

import java.util.List;

/** Field checks shared by the frame records; each failure names the frame and field. */
final class Checks {

    private Checks() {
    }

    static void notNegative(String frame, String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(frame + "." + field + " must not be negative, got " + value);
        }
    }

    static void positive(String frame, String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(frame + "." + field + " must be 1 or more, got " + value);
        }
    }

    static <T> List<T> list(String frame, String field, List<T> values, int max) {
        if (values == null) {
            throw new IllegalArgumentException(frame + "." + field + " must not be null");
        }
        if (values.size() > max) {
            throw new IllegalArgumentException(frame + "." + field + " must hold at most " + max + " items, got "
                    + values.size());
        }
        for (T v : values) {
            if (v == null) {
                throw new IllegalArgumentException(frame + "." + field + " must not hold null");
            }
        }
        return List.copyOf(values);
    }

    static String text(String frame, String field, String value, int maxLength) {
        if (value == null) {
            throw new IllegalArgumentException(frame + "." + field + " must not be null");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(frame + "." + field + " must be at most " + maxLength
                    + " characters, got " + value.length());
        }
        return value;
    }

    static String nonEmpty(String frame, String field, String value, int maxLength) {
        text(frame, field, value, maxLength);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(frame + "." + field + " must not be empty");
        }
        return value;
    }
}
