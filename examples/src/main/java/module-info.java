/** The README's "use it from your own code", as a user's own module that requires ipc4j. */
module io.ipc4j.examples {
    requires io.ipc4j;
}
