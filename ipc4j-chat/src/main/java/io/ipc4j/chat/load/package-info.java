/**
 * ipc4j-chat's own load test: one sender and N receivers on one event loop, every delivery timed, against
 * ipc4j-chat or Redis PUBLISH/SUBSCRIBE ({@code ipc4j chat load} runs it). One thread; a run blocks until every
 * receiver has every message, 10 minutes at most.
 */
package io.ipc4j.chat.load;
