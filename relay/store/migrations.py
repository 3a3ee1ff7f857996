"""Schema migrations, applied in order and recorded in `schema_migrations`. Never edit a released one.

0006 turns `messages` from a table clustered by (conversation, seq) into a rowid table: rows are
appended in commit order, so a group commit of 50 messages from 50 conversations writes a few
contiguous pages instead of 50 scattered ones (commit 1.9 ms -> 1.4 ms, see docs/benchmarks.md).

0008 adds when a call's invitation first reached the buyer (`calls.delivered_at`, unix ms by the
relay's clock, NULL while it has not, and for calls recorded before 0008); 0007 may already have
run on a deployed demo database, so it is not edited.

0009 adds what the supervisors' figures and tools need (docs/metrics.md): chat sessions, the rounds'
derived fields (shop-time hour and day, counted hours, decision, attribution), the hour of each
conversation event and call, system-message parameters, staff notes, the settings audit, template
positions and complaint handling. Rounds and events recorded before it get their derived fields
for Asia/Shanghai (UTC+8, the only time zone shops had), and a session is opened for every chat
that is queued or assigned at that moment, with an open round where a buyer is waiting.

0010 keeps the sums of days that are over (`relay.metrics.days`): a fact of a day written, changed
or deleted forgets that day's sums in the same transaction (triggers; a day is at most 25 hours).
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core",
        """
        CREATE TABLE shops (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL
        );
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            username TEXT NOT NULL,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
            password_hash TEXT NOT NULL,
            UNIQUE (shop_id, username)
        );
        CREATE TABLE tokens (
            token_hash TEXT PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE buyers (
            id TEXT PRIMARY KEY,
            nickname TEXT NOT NULL,
            city TEXT NOT NULL DEFAULT '',
            vip INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            buyer_id TEXT NOT NULL REFERENCES buyers(id),
            created_at INTEGER NOT NULL,
            last_seq INTEGER NOT NULL DEFAULT 0,
            buyer_read_seq INTEGER NOT NULL DEFAULT 0,
            agent_read_seq INTEGER NOT NULL DEFAULT 0,
            UNIQUE (shop_id, buyer_id)
        );
        CREATE INDEX conversations_buyer ON conversations(buyer_id);
        CREATE TABLE messages (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            seq INTEGER NOT NULL,
            sender_kind TEXT NOT NULL,
            sender_id TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            client_msg_id TEXT NOT NULL,
            text TEXT NOT NULL,
            ts INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX messages_idempotency ON messages(sender_kind, sender_id, client_msg_id);
        """,
    ),
    (
        "0002_demo_platform",
        """
        CREATE TABLE products (
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            sku TEXT NOT NULL,
            title TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            category TEXT NOT NULL,
            needs TEXT NOT NULL,
            specs_json TEXT NOT NULL,
            PRIMARY KEY (shop_id, sku)
        );
        CREATE TABLE orders (
            order_no TEXT PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            buyer_id TEXT NOT NULL REFERENCES buyers(id),
            amount_cents INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            tracking_no TEXT,
            courier TEXT
        );
        CREATE INDEX orders_buyer ON orders(shop_id, buyer_id);
        CREATE TABLE order_items (
            order_no TEXT NOT NULL REFERENCES orders(order_no),
            sku TEXT NOT NULL,
            title TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            price_cents INTEGER NOT NULL
        );
        CREATE INDEX order_items_order ON order_items(order_no);
        CREATE TABLE logistics_events (
            order_no TEXT NOT NULL REFERENCES orders(order_no),
            at TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX logistics_order ON logistics_events(order_no);
        CREATE TABLE after_sales (
            case_id TEXT PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            order_no TEXT NOT NULL REFERENCES orders(order_no),
            buyer_id TEXT NOT NULL REFERENCES buyers(id),
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            status TEXT NOT NULL
        );
        """,
    ),
    (
        "0003_routing",
        """
        ALTER TABLE accounts ADD COLUMN cap INTEGER NOT NULL DEFAULT 8;
        CREATE TABLE shop_settings (
            shop_id INTEGER PRIMARY KEY REFERENCES shops(id),
            mode TEXT NOT NULL DEFAULT 'auto' CHECK (mode IN ('auto', 'manual', 'both')),
            opens TEXT NOT NULL DEFAULT '08:00',
            closes TEXT NOT NULL DEFAULT '23:00',
            timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai'
        );
        ALTER TABLE conversations ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
        ALTER TABLE conversations ADD COLUMN agent_id INTEGER REFERENCES accounts(id);
        ALTER TABLE conversations ADD COLUMN tier INTEGER NOT NULL DEFAULT 3;
        ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
        ALTER TABLE conversations ADD COLUMN last_agent_id INTEGER REFERENCES accounts(id);
        ALTER TABLE conversations ADD COLUMN last_agent_at INTEGER;
        ALTER TABLE conversations ADD COLUMN last_activity_at INTEGER;
        ALTER TABLE conversations ADD COLUMN unanswered_since INTEGER;
        ALTER TABLE conversations ADD COLUMN unanswered_seq INTEGER;
        CREATE INDEX conversations_open ON conversations(shop_id, status);
        ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
        ALTER TABLE messages ADD COLUMN card_json TEXT;
        ALTER TABLE messages ADD COLUMN event TEXT;
        CREATE TABLE reply_rounds (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            buyer_seq INTEGER NOT NULL,
            buyer_at INTEGER NOT NULL,
            reply_at INTEGER,
            agent_id INTEGER REFERENCES accounts(id),
            PRIMARY KEY (conversation_id, buyer_seq)
        );
        CREATE INDEX reply_rounds_shop ON reply_rounds(shop_id, buyer_at);
        CREATE TABLE conversation_events (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT,
            from_agent INTEGER,
            to_agent INTEGER,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX conversation_events_conv ON conversation_events(conversation_id);
        """,
    ),
    (
        "0004_after_sales_offers",
        """
        ALTER TABLE after_sales ADD COLUMN amount_cents INTEGER;
        ALTER TABLE after_sales ADD COLUMN conversation_id INTEGER REFERENCES conversations(id);
        ALTER TABLE after_sales ADD COLUMN card_seq INTEGER;
        ALTER TABLE after_sales ADD COLUMN updated_at INTEGER;
        CREATE INDEX after_sales_buyer ON after_sales(shop_id, buyer_id);
        CREATE TABLE case_audit (
            id INTEGER PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES after_sales(case_id),
            at INTEGER NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX case_audit_case ON case_audit(case_id);
        """,
    ),
    (
        "0005_templates",
        """
        CREATE TABLE templates (
            id INTEGER PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            owner_id INTEGER REFERENCES accounts(id),
            grp TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            shortcut TEXT NOT NULL DEFAULT '',
            initials TEXT NOT NULL DEFAULT '',
            usage_count INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX templates_shop ON templates(shop_id, owner_id);
        """,
    ),
    (
        "0006_messages_append_order",
        """
        CREATE TABLE messages_v2 (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            seq INTEGER NOT NULL,
            sender_kind TEXT NOT NULL,
            sender_id TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            client_msg_id TEXT NOT NULL,
            text TEXT NOT NULL,
            ts INTEGER NOT NULL,
            kind TEXT NOT NULL DEFAULT 'text',
            card_json TEXT,
            event TEXT
        );
        INSERT INTO messages_v2 SELECT conversation_id, seq, sender_kind, sender_id, sender_name, client_msg_id,
            text, ts, kind, card_json, event FROM messages ORDER BY ts, conversation_id, seq;
        DROP TABLE messages;
        ALTER TABLE messages_v2 RENAME TO messages;
        CREATE UNIQUE INDEX messages_seq ON messages(conversation_id, seq);
        CREATE UNIQUE INDEX messages_idempotency ON messages(sender_kind, sender_id, client_msg_id);
        """,
    ),
    (
        "0007_calls",
        """
        CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            agent_id INTEGER NOT NULL REFERENCES accounts(id),
            agent_name TEXT NOT NULL,
            buyer_id TEXT NOT NULL REFERENCES buyers(id),
            buyer_name TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            invited_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            max_duration_s INTEGER NOT NULL,
            audio_only INTEGER NOT NULL DEFAULT 0,
            answered_at INTEGER,
            connected_at INTEGER,
            ended_at INTEGER,
            ended_by TEXT,
            end_reason TEXT,
            duration_s INTEGER,
            complaint TEXT,
            complaint_text TEXT,
            complaint_at INTEGER,
            card_seq INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX calls_buyer ON calls(shop_id, buyer_id, invited_at);
        CREATE INDEX calls_buyer_recent ON calls(buyer_id, invited_at);
        CREATE INDEX calls_agent_recent ON calls(agent_id, invited_at);
        CREATE INDEX calls_open ON calls(state) WHERE state IN ('invited', 'accepted', 'connected');
        CREATE INDEX calls_shop_day ON calls(shop_id, invited_at);
        CREATE TABLE call_blocks (
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            buyer_id TEXT NOT NULL REFERENCES buyers(id),
            at INTEGER NOT NULL,
            PRIMARY KEY (shop_id, buyer_id)
        ) WITHOUT ROWID;
        CREATE TABLE call_settings (
            shop_id INTEGER PRIMARY KEY REFERENCES shops(id),
            enabled INTEGER NOT NULL,
            invites_per_day INTEGER NOT NULL,
            decline_cooldown_s INTEGER NOT NULL,
            activity_window_s INTEGER NOT NULL,
            invite_ttl_s INTEGER NOT NULL,
            max_duration_s INTEGER NOT NULL,
            warning_before_s INTEGER NOT NULL
        );
        """,
    ),
    (
        "0008_call_delivered",
        """
        ALTER TABLE calls ADD COLUMN delivered_at INTEGER;
        """,
    ),
    (
        "0009_supervision",
        """
        CREATE TABLE chat_sessions (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            buyer_id TEXT NOT NULL,
            opened_at INTEGER NOT NULL,
            hour INTEGER NOT NULL,
            in_hours INTEGER NOT NULL,
            reopened INTEGER NOT NULL DEFAULT 0,
            first_reply_at INTEGER,
            first_reply_by INTEGER,
            frt_ms INTEGER,
            closed_at INTEGER,
            close_reason TEXT,
            closed_by INTEGER,
            agent_id INTEGER,
            resolution_ms INTEGER,
            abandoned INTEGER NOT NULL DEFAULT 0,
            rating INTEGER,
            rating_comment TEXT NOT NULL DEFAULT '',
            rated_at INTEGER
        );
        CREATE INDEX chat_sessions_shop ON chat_sessions(shop_id, opened_at);
        CREATE INDEX chat_sessions_conversation ON chat_sessions(conversation_id, id);
        ALTER TABLE conversations ADD COLUMN session_id INTEGER REFERENCES chat_sessions(id);
        INSERT INTO chat_sessions (conversation_id, shop_id, buyer_id, opened_at, hour, in_hours)
            SELECT id, shop_id, buyer_id, COALESCE(unanswered_since, queued_at, created_at),
                   ((COALESCE(unanswered_since, queued_at, created_at) + 28800000) / 3600000) * 3600000 - 28800000,
                   ((COALESCE(unanswered_since, queued_at, created_at) + 28800000) % 86400000) / 3600000
                       BETWEEN 8 AND 22
            FROM conversations WHERE status IN ('queued', 'assigned');
        UPDATE conversations
            SET session_id = (SELECT MAX(s.id) FROM chat_sessions s WHERE s.conversation_id = conversations.id)
            WHERE status IN ('queued', 'assigned');
        ALTER TABLE reply_rounds ADD COLUMN buyer_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE reply_rounds ADD COLUMN hour INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reply_rounds ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reply_rounds ADD COLUMN in_hours INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reply_rounds ADD COLUMN session_id INTEGER;
        ALTER TABLE reply_rounds ADD COLUMN decided_at INTEGER;
        ALTER TABLE reply_rounds ADD COLUMN holder_id INTEGER;
        ALTER TABLE reply_rounds ADD COLUMN on_time INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reply_rounds ADD COLUMN reply_ms INTEGER;
        ALTER TABLE reply_rounds ADD COLUMN ended_at INTEGER;
        UPDATE reply_rounds SET
            buyer_id = (SELECT c.buyer_id FROM conversations c WHERE c.id = reply_rounds.conversation_id),
            hour = ((buyer_at + 28800000) / 3600000) * 3600000 - 28800000,
            day = ((buyer_at + 28800000) / 86400000) * 86400000 - 28800000,
            in_hours = ((buyer_at + 28800000) % 86400000) / 3600000 BETWEEN 8 AND 22,
            decided_at = CASE WHEN reply_at IS NOT NULL AND reply_at - buyer_at <= 180000 THEN reply_at
                              ELSE buyer_at + 180000 END,
            holder_id = agent_id,
            on_time = reply_at IS NOT NULL AND reply_at - buyer_at <= 180000,
            reply_ms = reply_at - buyer_at,
            ended_at = CASE WHEN reply_at IS NULL THEN buyer_at END;
        INSERT OR IGNORE INTO reply_rounds
            (conversation_id, shop_id, buyer_seq, buyer_at, buyer_id, hour, day, in_hours, session_id)
            SELECT id, shop_id, COALESCE(unanswered_seq, 0), unanswered_since, buyer_id,
                   ((unanswered_since + 28800000) / 3600000) * 3600000 - 28800000,
                   ((unanswered_since + 28800000) / 86400000) * 86400000 - 28800000,
                   ((unanswered_since + 28800000) % 86400000) / 3600000 BETWEEN 8 AND 22, session_id
            FROM conversations WHERE unanswered_since IS NOT NULL AND status IN ('queued', 'assigned');
        CREATE INDEX reply_rounds_session ON reply_rounds(session_id);
        ALTER TABLE conversation_events ADD COLUMN hour INTEGER NOT NULL DEFAULT 0;
        UPDATE conversation_events SET hour = ((at + 28800000) / 3600000) * 3600000 - 28800000;
        CREATE INDEX conversation_events_shop ON conversation_events(shop_id, at);
        ALTER TABLE calls ADD COLUMN hour INTEGER NOT NULL DEFAULT 0;
        UPDATE calls SET hour = ((invited_at + 28800000) / 3600000) * 3600000 - 28800000;
        ALTER TABLE calls ADD COLUMN handled_at INTEGER;
        ALTER TABLE calls ADD COLUMN handled_by TEXT;
        ALTER TABLE calls ADD COLUMN handled_note TEXT NOT NULL DEFAULT '';
        CREATE INDEX calls_complaints ON calls(shop_id, complaint_at) WHERE complaint_at IS NOT NULL;
        ALTER TABLE messages ADD COLUMN params_json TEXT;
        CREATE TABLE staff_notes (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            kind TEXT NOT NULL CHECK (kind IN ('note', 'whisper')),
            author_id INTEGER NOT NULL REFERENCES accounts(id),
            author_name TEXT NOT NULL,
            author_role TEXT NOT NULL,
            text TEXT NOT NULL,
            ts INTEGER NOT NULL,
            after_seq INTEGER NOT NULL,
            client_msg_id TEXT NOT NULL,
            to_agent_id INTEGER,
            UNIQUE (author_id, client_msg_id)
        );
        CREATE INDEX staff_notes_conversation ON staff_notes(conversation_id, id);
        CREATE TABLE settings_audit (
            id INTEGER PRIMARY KEY,
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            at INTEGER NOT NULL,
            actor_id INTEGER NOT NULL,
            actor_name TEXT NOT NULL,
            setting TEXT NOT NULL,
            old TEXT NOT NULL,
            new TEXT NOT NULL
        );
        CREATE INDEX settings_audit_shop ON settings_audit(shop_id, id);
        ALTER TABLE templates ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        UPDATE templates SET position = id;
        """,
    ),
    (
        "0010_figure_days",
        """
        CREATE TABLE figure_days (
            shop_id INTEGER NOT NULL REFERENCES shops(id),
            since INTEGER NOT NULL,
            timezone TEXT NOT NULL,
            format INTEGER NOT NULL,
            until INTEGER NOT NULL,
            version INTEGER NOT NULL DEFAULT 0,
            sums BLOB,
            cells BLOB,
            PRIMARY KEY (shop_id, since, timezone, format)
        ) WITHOUT ROWID;
        CREATE TRIGGER figure_days_reply_rounds_insert AFTER INSERT ON reply_rounds BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_reply_rounds_update AFTER UPDATE ON reply_rounds BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_reply_rounds_delete AFTER DELETE ON reply_rounds BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = OLD.shop_id AND since > OLD.hour - 90000000 AND since <= OLD.hour
                    AND until > OLD.hour;
        END;
        CREATE TRIGGER figure_days_chat_sessions_insert AFTER INSERT ON chat_sessions BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_chat_sessions_update AFTER UPDATE ON chat_sessions BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_chat_sessions_delete AFTER DELETE ON chat_sessions BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = OLD.shop_id AND since > OLD.hour - 90000000 AND since <= OLD.hour
                    AND until > OLD.hour;
        END;
        CREATE TRIGGER figure_days_calls_insert AFTER INSERT ON calls BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_calls_update AFTER UPDATE ON calls BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_calls_delete AFTER DELETE ON calls BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = OLD.shop_id AND since > OLD.hour - 90000000 AND since <= OLD.hour
                    AND until > OLD.hour;
        END;
        CREATE TRIGGER figure_days_conversation_events_insert AFTER INSERT ON conversation_events BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_conversation_events_update AFTER UPDATE ON conversation_events BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = NEW.shop_id AND since > NEW.hour - 90000000 AND since <= NEW.hour
                    AND until > NEW.hour;
        END;
        CREATE TRIGGER figure_days_conversation_events_delete AFTER DELETE ON conversation_events BEGIN
            UPDATE figure_days SET version = version + 1, sums = NULL, cells = NULL
                WHERE shop_id = OLD.shop_id AND since > OLD.hour - 90000000 AND since <= OLD.hour
                    AND until > OLD.hour;
        END;
        """,
    ),
]
