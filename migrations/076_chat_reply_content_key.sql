-- 076_chat_reply_content_key: a chat reply is claimed by its place in the turn (reply_key: inbound event id +
-- part) AND by its content (content_key: inbound event id + content + how many times the run said it
-- before), so a turn run again never sends a second version of a reply the customer already saw, nor the
-- same reply again at another place when its path changed (src/bot/reply-ledger.ts). NULL for the sends
-- around Botkit, whose reply_key already names their step and content. Unique: a claim conflicts on either.
ALTER TABLE chat_replies
  ADD COLUMN content_key CHAR(64) CHARACTER SET ascii NULL COMMENT 'sha256 of inbound event id, content, occurrence' AFTER reply_key,
  ADD UNIQUE KEY uq_cr_content (content_key);
