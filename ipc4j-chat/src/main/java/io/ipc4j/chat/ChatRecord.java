package io.ipc4j.chat;

/**
 * One logged message.
 *
 * @param millis when the server accepted it (Unix milliseconds).
 * @param sender the sender's nick.
 * @param text   the message as broadcast (already sanitised); "/me" actions start with "\u0001ACTION ".
 */
public record ChatRecord(long millis, String sender, String text) {
    static final String ACTION = "\u0001ACTION ";

    /**
     * The line every client sees for it (without a timestamp).
     *
     * @return the line every client sees for it
     */
    public String line() {
        return text.startsWith(ACTION) ? "* " + sender + " " + text.substring(ACTION.length())
                : "<" + sender + "> " + text;
    }
}
