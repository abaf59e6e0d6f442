//! The documents operations through the router.

use axum::http::Method;
use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(archive, documents, untyped_bodies, uploads);

pub async fn documents(w: &World) {
    let api = &w.api;
    let (sp, old) = (w.space.as_str(), w.archived.as_str());
    let bytes = b"# Pathway\n\n1. Check NG12.\n";
    let q = "title=Referral%20pathway&tags=referrals,cancer";
    let first = api
        .upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MEMBER,
            q,
            DOC_TYPE,
            bytes,
            &[("idempotency-key", "doc-key-0001")],
        )
        .await;
    is(&first, 201);
    let replay = api
        .upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MEMBER,
            q,
            DOC_TYPE,
            bytes,
            &[("idempotency-key", "doc-key-0001")],
        )
        .await;
    assert!(replay.headers.contains_key("idempotent-replayed"));
    let d = first.id();
    problem(
        &api.upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            OUTSIDER,
            q,
            DOC_TYPE,
            bytes,
            &[],
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MEMBER,
            q,
            "application/x-msdownload",
            bytes,
            &[],
        )
        .await,
        415,
        "unsupported_media_type",
    );
    // A Windows executable called a PDF (or Markdown) is refused.
    let program = [b"MZ\x90\x00\x03".as_slice(), &[0u8; 500]].concat();
    for declared in ["application/pdf", DOC_TYPE] {
        let refused = api
            .upload(
                "/spaces/{id}/documents",
                &[("id", sp)],
                MEMBER,
                q,
                declared,
                &program,
                &[],
            )
            .await;
        problem(&refused, 415, "unsupported_media_type");
        assert_eq!(refused.headers["x-content-type-options"], "nosniff");
    }
    problem(
        &api.upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MEMBER,
            "title=ab",
            DOC_TYPE,
            bytes,
            &[],
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MEMBER,
            q,
            DOC_TYPE,
            bytes,
            &[(
                "content-digest",
                "sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:",
            )],
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.upload(
            "/spaces/{id}/documents",
            &[("id", old)],
            MEMBER,
            q,
            DOC_TYPE,
            bytes,
            &[],
        )
        .await,
        403,
        "archived",
    );
    is(
        &api.get("/spaces/{id}/documents", &[("id", sp)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.get("/spaces/{id}/documents", &[("id", sp)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    let content = api
        .get("/documents/{id}/content", &[("id", &d)], MEMBER)
        .await;
    is(&content, 200);
    assert_eq!(content.body, bytes);
    assert_eq!(content.headers["content-type"], DOC_TYPE);
    // Never sniffed into another type; saved under a safe name.
    assert_eq!(content.headers["x-content-type-options"], "nosniff");
    let disposition = content.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.ends_with(".md\"")
            && disposition[22..disposition.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
        "{disposition}"
    );
    problem(
        &api.get("/documents/{id}/content", &[("id", &d)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get("/documents/{id}/content?version=0", &[("id", &d)], MEMBER)
            .await,
        400,
        "invalid_query",
    );

    let got = api.get("/documents/{id}", &[("id", &d)], MEMBER).await;
    is(&got, 200);
    problem(
        &api.get("/documents/{id}", &[("id", &d)], OUTSIDER).await,
        404,
        "not_found",
    );
    let v2 = b"# Pathway\n\n1. Check NG12.\n2. Safety-net.\n";
    let added = api
        .upload(
            "/documents/{id}/versions",
            &[("id", &d)],
            MEMBER,
            "note=Added%20safety-netting",
            DOC_TYPE,
            v2,
            &[("if-match", &got.etag())],
        )
        .await;
    is(&added, 201);
    problem(
        &api.upload(
            "/documents/{id}/versions",
            &[("id", &d)],
            MEMBER,
            "",
            DOC_TYPE,
            v2,
            &[("if-match", &got.etag())],
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.upload(
            "/documents/{id}/versions",
            &[("id", &d)],
            "extra2",
            "",
            DOC_TYPE,
            v2,
            &[("if-match", &added.etag())],
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.upload(
            "/documents/{id}/versions",
            &[("id", &d)],
            OUTSIDER,
            "",
            DOC_TYPE,
            v2,
            &[("if-match", &added.etag())],
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.upload(
            "/documents/{id}/versions",
            &[("id", &d)],
            MEMBER,
            "",
            "video/mp4",
            v2,
            &[("if-match", &added.etag())],
        )
        .await,
        415,
        "unsupported_media_type",
    );
    is(
        &api.get("/documents/{id}/versions", &[("id", &d)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.get("/documents/{id}/versions", &[("id", &d)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    is(
        &api.get("/documents/{id}/content?version=1", &[("id", &d)], MEMBER)
            .await,
        200,
    );

    let changed = api
        .patch(
            "/documents/{id}",
            &[("id", &d)],
            MEMBER,
            json!({"description": "2026 edition"}),
            &added.etag(),
        )
        .await;
    is(&changed, 200);
    problem(
        &api.patch(
            "/documents/{id}",
            &[("id", &d)],
            MEMBER,
            json!({"description": "Lost"}),
            &added.etag(),
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.patch(
            "/documents/{id}",
            &[("id", &d)],
            GUEST,
            json!({"description": "Mine"}),
            &changed.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.patch(
            "/documents/{id}",
            &[("id", &d)],
            OUTSIDER,
            json!({"description": "Mine"}),
            &changed.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.patch(
            "/documents/{id}",
            &[("id", &d)],
            MEMBER,
            json!({"title": "x"}),
            &changed.etag(),
        )
        .await,
        422,
        "invalid_input",
    );
    let mods = api
        .upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MODERATOR,
            "title=Moderator%20notes",
            DOC_TYPE,
            b"notes",
            &[],
        )
        .await
        .id();
    let mods_etag = api
        .get("/documents/{id}", &[("id", &mods)], MEMBER)
        .await
        .etag();
    problem(
        &api.patch(
            "/documents/{id}",
            &[("id", &mods)],
            MEMBER,
            json!({"description": "Mine"}),
            &mods_etag,
        )
        .await,
        403,
        "not_author",
    );
    problem(
        &api.upload(
            "/documents/{id}/versions",
            &[("id", &mods)],
            MEMBER,
            "",
            DOC_TYPE,
            b"v2",
            &[("if-match", &mods_etag)],
        )
        .await,
        403,
        "not_author",
    );
    problem(
        &api.delete("/documents/{id}", &[("id", &mods)], MEMBER)
            .await,
        403,
        "not_author",
    );
    problem(
        &api.delete("/documents/{id}", &[("id", &d)], OUTSIDER).await,
        404,
        "not_found",
    );
    is(
        &api.delete("/documents/{id}", &[("id", &d)], MODERATOR)
            .await,
        204,
    );
    problem(
        &api.get("/documents/{id}", &[("id", &d)], MEMBER).await,
        404,
        "not_found",
    );
}

/// Bytes sent as `application/octet-stream` (what generated clients send)
/// take their type from the `content_type` query parameter, checked like a
/// `Content-Type` header; without it, or against a header naming another
/// type, they are refused and nothing is filed.
pub async fn untyped_bodies(w: &World) {
    let api = &w.api;
    let sp = w.space.as_str();
    const UNTYPED: &str = "application/octet-stream";
    let bytes = b"# Rota\n\nMondays.\n";
    let added = api
        .upload(
            "/spaces/{id}/documents",
            &[("id", sp)],
            MEMBER,
            "title=Rota&content_type=text%2Fmarkdown",
            UNTYPED,
            bytes,
            &[],
        )
        .await;
    is(&added, 201);
    assert_eq!(added.json["content_type"], DOC_TYPE);
    let d = added.id();
    let before = api
        .get("/spaces/{id}/documents", &[("id", sp)], MEMBER)
        .await;
    is(&before, 200);
    for (query, ctype, code, status) in [
        ("title=Rota", UNTYPED, "unsupported_media_type", 415),
        (
            "title=Rota&content_type=video%2Fmp4",
            UNTYPED,
            "unsupported_media_type",
            415,
        ),
        (
            "title=Rota&content_type=application%2Fpdf",
            UNTYPED,
            "unsupported_media_type",
            415,
        ),
        (
            "title=Rota&content_type=text%2Fplain",
            DOC_TYPE,
            "invalid_query",
            400,
        ),
    ] {
        let refused = api
            .upload(
                "/spaces/{id}/documents",
                &[("id", sp)],
                MEMBER,
                query,
                ctype,
                bytes,
                &[],
            )
            .await;
        assert_eq!(
            refused.status.as_u16(),
            status,
            "{query} as {ctype}: {:?}",
            refused.json
        );
        problem(&refused, status, code);
    }
    let after = api
        .get("/spaces/{id}/documents", &[("id", sp)], MEMBER)
        .await;
    assert_eq!(
        after.json["items"], before.json["items"],
        "a refused upload was filed"
    );
    let version = api
        .upload(
            "/documents/{id}/versions",
            &[("id", &d)],
            MEMBER,
            "note=Tuesdays&content_type=text%2Fplain",
            UNTYPED,
            b"Tuesdays too.\n",
            &[("if-match", &added.etag())],
        )
        .await;
    is(&version, 201);
    assert_eq!(version.json["content_type"], "text/plain");
    assert_eq!(version.json["current_version"], 2);
}

pub async fn uploads(w: &World) {
    let api = &w.api;
    let sp = w.space.as_str();
    let bytes = b"# Audit\n\nTwo-week cycle.\n";
    let intent =
        json!({"content_type": DOC_TYPE, "size": bytes.len(), "sha256": sha256_hex(bytes)});

    // The ticket.
    let first = api
        .post_key(
            "/spaces/{id}/uploads",
            &[("id", sp)],
            MEMBER,
            intent.clone(),
            "upload-key-01",
        )
        .await;
    is(&first, 201);
    let replay = api
        .post_key(
            "/spaces/{id}/uploads",
            &[("id", sp)],
            MEMBER,
            intent.clone(),
            "upload-key-01",
        )
        .await;
    assert!(replay.headers.contains_key("idempotent-replayed"));
    assert_eq!(replay.json, first.json);
    problem(
        &api.post(
            "/spaces/{id}/uploads",
            &[("id", sp)],
            OUTSIDER,
            intent.clone(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/spaces/{id}/uploads",
            &[("id", &w.archived)],
            MEMBER,
            intent.clone(),
        )
        .await,
        403,
        "archived",
    );
    problem(
        &api.post(
            "/spaces/{id}/uploads",
            &[("id", sp)],
            MEMBER,
            json!({"content_type": DOC_TYPE, "size": 3, "sha256": "ABCD"}),
        )
        .await,
        422,
        "invalid_input",
    );

    // The bytes: others' tokens are no upload, wrong bytes are dropped.
    let token = first.json["upload"].as_str().unwrap().to_owned();
    problem(
        &api.put_bytes("/uploads/{token}", &[("token", &token)], MODERATOR, bytes)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.put_bytes(
            "/uploads/{token}",
            &[("token", &token)],
            MEMBER,
            b"other bytes",
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.post(
            "/spaces/{id}/documents/uploaded",
            &[("id", sp)],
            MEMBER,
            json!({"title": "Audit plan", "upload": token}),
        )
        .await,
        409,
        "upload_missing",
    );
    is(
        &api.put_bytes("/uploads/{token}", &[("token", &token)], MEMBER, bytes)
            .await,
        204,
    );

    // Filing it.
    let filed = json!({"title": "Audit plan", "tags": ["audit"], "upload": token});
    let doc = api
        .post_key(
            "/spaces/{id}/documents/uploaded",
            &[("id", sp)],
            MEMBER,
            filed.clone(),
            "file-key-001",
        )
        .await;
    is(&doc, 201);
    let again = api
        .post_key(
            "/spaces/{id}/documents/uploaded",
            &[("id", sp)],
            MEMBER,
            filed.clone(),
            "file-key-001",
        )
        .await;
    assert!(again.headers.contains_key("idempotent-replayed"));
    let d = doc.id();
    assert_eq!(doc.json["sha256"], sha256_hex(bytes));
    let content = api
        .get("/documents/{id}/content", &[("id", &d)], MODERATOR)
        .await;
    assert_eq!(content.body, bytes);
    problem(
        &api.post(
            "/spaces/{id}/documents/uploaded",
            &[("id", sp)],
            OUTSIDER,
            json!({"title": "Audit plan", "upload": "bm90LWEtdG9rZW4"}),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/spaces/{id}/documents/uploaded",
            &[("id", sp)],
            MEMBER,
            json!({"title": "x", "upload": "bm90LWEtdG9rZW4"}),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.post(
            "/spaces/{id}/documents/uploaded",
            &[("id", &w.archived)],
            MEMBER,
            json!({"title": "Audit plan", "upload": "bm90LWEtdG9rZW4"}),
        )
        .await,
        403,
        "archived",
    );

    // A new version from an upload.
    let v2 = b"# Audit\n\nTwo-week cycle, then re-audit.\n";
    let token = uploaded(api, sp, MEMBER, v2).await;
    let body = json!({"upload": token, "note": "Re-audit added"});
    let added = api
        .call(
            Method::POST,
            "/documents/{id}/versions/uploaded",
            &[("id", &d)],
            Some(MEMBER),
            Some(body.clone()),
            &[("if-match", &doc.etag())],
        )
        .await;
    is(&added, 201);
    assert_eq!(added.json["current_version"], 2);
    problem(
        &api.call(
            Method::POST,
            "/documents/{id}/versions/uploaded",
            &[("id", &d)],
            Some(MEMBER),
            Some(body.clone()),
            &[("if-match", &doc.etag())],
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.call(
            Method::POST,
            "/documents/{id}/versions/uploaded",
            &[("id", &d)],
            Some(MEMBER),
            Some(json!({"upload": "bm90LWEtdG9rZW4", "note": "n".repeat(501)})),
            &[("if-match", &added.etag())],
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.call(
            Method::POST,
            "/documents/{id}/versions/uploaded",
            &[("id", &d)],
            Some(OUTSIDER),
            Some(body.clone()),
            &[("if-match", &added.etag())],
        )
        .await,
        404,
        "not_found",
    );
    let theirs = uploaded(api, sp, MODERATOR, b"moderator notes").await;
    let mods = api
        .post(
            "/spaces/{id}/documents/uploaded",
            &[("id", sp)],
            MODERATOR,
            json!({"title": "Moderator notes", "upload": theirs}),
        )
        .await;
    is(&mods, 201);
    let mine = uploaded(api, sp, MEMBER, b"my edit").await;
    problem(
        &api.call(
            Method::POST,
            "/documents/{id}/versions/uploaded",
            &[("id", &mods.id())],
            Some(MEMBER),
            Some(json!({"upload": mine})),
            &[("if-match", &mods.etag())],
        )
        .await,
        403,
        "not_author",
    );

    // A space archived after the ticket takes no bytes.
    let scratch = api
        .post(
            "/communities/{id}/spaces",
            &[("id", &w.c)],
            OWNER,
            json!({"name": "Scratch", "visibility": {"type": "members"}}),
        )
        .await;
    let ticket = api
        .post(
            "/spaces/{id}/uploads",
            &[("id", &scratch.id())],
            MEMBER,
            intent.clone(),
        )
        .await;
    is(
        &api.put_if(
            "/spaces/{id}/archived",
            &[("id", &scratch.id())],
            MODERATOR,
            None,
            &scratch.etag(),
        )
        .await,
        200,
    );
    problem(
        &api.put_bytes(
            "/uploads/{token}",
            &[("token", ticket.json["upload"].as_str().unwrap())],
            MEMBER,
            bytes,
        )
        .await,
        403,
        "archived",
    );

    // Where to download from: here, through the content endpoint.
    let link = api
        .get("/documents/{id}/download", &[("id", &d)], MEMBER)
        .await;
    is(&link, 200);
    assert_eq!(link.json["version"]["number"], 2);
    assert_eq!(
        link.json["get"]["url"],
        format!("/documents/{d}/content?version=2")
    );
    is(
        &api.get("/documents/{id}/download?version=1", &[("id", &d)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.get("/documents/{id}/download", &[("id", &d)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get("/documents/{id}/download?version=9", &[("id", &d)], MEMBER)
            .await,
        404,
        "not_found",
    );
}
