-- Photos attached to agenda items (and, later, work orders): the stored file's name (its
-- content hash) and size; the files live under DATA_DIR/photos.
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT REFERENCES agenda_items(id),
    uploader_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX photos_item ON photos(item_id, id);
