/**
 * ipc4j-chat: a line-based chat server on a Unix socket with a crash-safe mapped log; the transport
 * ({@link io.ipc4j.chat.ChatServer}) apart from the chat (ChatRoom: nicks, commands, history). One loop thread
 * serves every client; start, shutdown and close may be called from any thread; close waits at most 10 s.
 */
package io.ipc4j.chat;
