package io.imr.wire;

/**
 * Checks that a Java string survives the trip through UTF-8, which Protocol Buffers strings
 * are. A string holding half of a surrogate pair does not: protobuf-java would silently turn
 * it into {@code '?'}, so the peer would act on other text than the sender meant.
 */
final class WireText {

    private WireText() {
    }

    /**
     * @param field the field, for the error message
     * @return the text, for chaining
     * @throws IllegalArgumentException if the text holds an unpaired surrogate
     */
    static String requireEncodable(String field, String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
                continue;
            }
            throw new IllegalArgumentException(field + " holds an unpaired UTF-16 surrogate at index " + i
                    + ", which UTF-8 cannot carry");
        }
        return text;
    }
}
