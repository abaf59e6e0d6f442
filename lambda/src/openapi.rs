//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! the domain types, then finished in one pass:
//! - the text rules the core validates are written into the schema as
//!   patterns (types carry short `copkit:*` format markers, replaced here by
//!   the patterns of [`copkit_core::validate::patterns`]), so what the
//!   document promises and what the server checks are the same;
//! - the IANA time-zone names become one named enum (`TimeZone`), with
//!   `x-enum-varnames` that stay distinct in generated code (`GMT+0`,
//!   `GMT-0` and `GMT0` would all become `GMT0`);
//! - each variant of a tagged union becomes a named schema
//!   (`ContentRefThread`, …) and the union gets a `discriminator` mapping
//!   its tag values to them, so generators name classes after concepts
//!   instead of numbering them;
//! - every operation lists the problem answers it may give;
//! - downloads list the content types the library accepts; uploads are
//!   `application/octet-stream` (the type goes in the header or the query).

use copkit_core::service::DEFAULT_CONTENT_TYPES;
use copkit_core::validate::patterns;
use serde_json::{Map, Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use crate::problem::{PROBLEM_JSON, Problem, ProblemField};

/// The document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "copkit",
        description = "Communities of practice for health professionals: communities, membership, \
                       spaces, discussions, documents, events and polls.\n\nErrors are RFC 9457 \
                       problem documents with a stable `code`. What a caller may not see answers \
                       404, exactly like what does not exist. Lists take `limit` and an opaque \
                       `cursor` bound to the list. Updates require `If-Match` with the ETag read. \
                       Creating POSTs take an optional `Idempotency-Key`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `If-Match`, required on every update.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The ETag you read, such as `"3"` (or a GET's `"3.<digest>"`).
    #[param(
        rename = "If-Match",
        pattern = r#"^(?:W/)?"[0-9]{1,15}(?:\.[0-9a-f]{32})?"$"#
    )]
    pub if_match: String,
}

/// `Idempotency-Key`, optional on creating POSTs.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyHeader {
    /// A key unique to this attempt; a retry with the same key and body gets
    /// the first answer again.
    #[param(rename = "Idempotency-Key", pattern = r"^[A-Za-z0-9_-]{8,128}$")]
    pub idempotency_key: Option<String>,
}

/// Comma-separated tags, as in an upload's query.
const TAG_LIST: &str = r"^(?:[A-Za-z0-9-]{1,30}(?:,[A-Za-z0-9-]{1,30}){0,9})?$";
/// An occurrence key: a local start.
const OCCURRENCE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$";

/// The error answers every operation may give (health and the document itself
/// only the server ones): status, the shared response's name under
/// `components/responses`, and its description.
const ERRORS: [(&str, &str, &str); 11] = [
    (
        "400",
        "BadRequest",
        "Malformed request: bad JSON, query, header or cursor",
    ),
    ("401", "Unauthorized", "No valid identity"),
    ("403", "Forbidden", "Visible, but not allowed for you"),
    (
        "404",
        "NotFound",
        "Does not exist, was deleted (code `deleted`), or you may not see it",
    ),
    (
        "409",
        "Conflict",
        "Clashes with the current state (version, uniqueness, limits)",
    ),
    ("413", "PayloadTooLarge", "Body too large"),
    ("415", "UnsupportedMediaType", "Unsupported content type"),
    ("422", "UnprocessableEntity", "Invalid fields; see `errors`"),
    (
        "429",
        "TooManyRequests",
        "Too many of these lately: retry after `Retry-After` seconds",
    ),
    (
        "500",
        "InternalServerError",
        "Something went wrong on our side",
    ),
    (
        "503",
        "ServiceUnavailable",
        "Busy: retry after `Retry-After` seconds",
    ),
];

/// Every tag the operations use, with what its operations are about.
pub const TAGS: [(&str, &str); 18] = [
    ("service", "Health and this API description"),
    (
        "me",
        "The caller: profile, communities, activity, export and erasure",
    ),
    (
        "communities",
        "Founding, finding, reading and changing communities",
    ),
    ("members", "Memberships, roles, bans and departures"),
    (
        "join requests",
        "Asking to join communities that approve their members",
    ),
    (
        "invitations",
        "Inviting people (by email or link) and accepting",
    ),
    ("spaces", "The rooms of a community and who may see them"),
    ("discussions", "Threads, posts, reactions, answers and pins"),
    (
        "documents",
        "The document library: files, versions, uploads and downloads",
    ),
    (
        "events",
        "Events, their occurrences, RSVPs, attendance, the agenda and its calendar feed",
    ),
    ("polls", "Polls and votes"),
    (
        "search",
        "Finding discussions, documents and events in the spaces you may see",
    ),
    (
        "moderation",
        "Reports, moderation decisions and the moderation log",
    ),
    ("digests", "Rhythm digests and the mail they produce"),
    (
        "notifications",
        "Your inbox of what concerns you, and how you hear of each topic",
    ),
    ("value", "Value stories and the community's health report"),
    ("levels", "Participation levels"),
    (
        "cpd",
        "Continuing professional development records from attendance",
    ),
];

/// The finished document describing `docs`' routes.
pub fn document(docs: &crate::routes::api_router::ApiDocs) -> Value {
    finish(docs.openapi(ApiDoc::openapi()))
}

/// Finishes the generated document (see the module docs).
pub fn finish(openapi: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(openapi).unwrap_or_else(|_| json!({}));
    apply_markers(&mut doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert("TimeZone".into(), time_zone_schema());
        schemas.insert("ContentType".into(), content_type_schema());
        name_tagged_variants(schemas);
        reference_page_items(schemas);
    }
    list_problem_codes(&mut doc);
    add_shared_responses(&mut doc);
    describe_tags_and_servers(&mut doc);
    unique_operation_ids(&mut doc);
    parameters_are_not_nullable(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                if let Some(op) = operation.as_object_mut() {
                    add_error_responses(path, method, op);
                    if (method == "post"
                        && (path.ends_with("/documents") || path.ends_with("/versions")))
                        || (method == "put" && path.starts_with("/uploads/"))
                    {
                        set_upload_body(op);
                    }
                    if path.ends_with("/content") {
                        set_download_types(op);
                    }
                }
            }
        }
    }
    doc
}

/// Lists every problem code on the `Problem` schema's `code`
/// (`x-problem-codes`: code → status and meaning), so clients can map
/// them to their own errors.
fn list_problem_codes(doc: &mut Value) {
    let codes: serde_json::Map<String, Value> = crate::problem::problem_codes()
        .into_iter()
        .map(|(code, status, meaning)| (code, json!({"status": status, "description": meaning})))
        .collect();
    if let Some(code) = doc.pointer_mut("/components/schemas/Problem/properties/code")
        && let Some(code) = code.as_object_mut()
    {
        code.insert("x-problem-codes".into(), Value::Object(codes));
    }
}

/// A missing query or header parameter is how a client says "none": the
/// text `null` is not. Optional parameters are therefore declared
/// non-nullable (serde's `Option` makes them nullable otherwise).
fn parameters_are_not_nullable(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for param in params {
                if let Some(Value::Array(types)) = param.pointer_mut("/schema/type") {
                    types.retain(|t| t != "null");
                    if types.len() == 1 {
                        let only = types.remove(0);
                        if let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut)
                        {
                            schema.insert("type".into(), only);
                        }
                    }
                }
            }
        }
    }
}

/// Handler names repeat across areas (`list`, `create`); an operation id
/// that is not unique gets its tag in front (`polls_list`).
fn unique_operation_ids(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut counts = std::collections::HashMap::<String, usize>::new();
    for item in paths.values() {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                *counts.entry(id.to_owned()).or_default() += 1;
            }
        }
    }
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if counts.get(&id).copied().unwrap_or(0) > 1 {
                let tag = op
                    .get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(Value::as_str)
                    .unwrap_or("api")
                    .replace(' ', "_");
                op.insert("operationId".into(), Value::String(format!("{tag}_{id}")));
            }
        }
    }
}

/// One shared problem answer, with the headers its status carries.
fn problem_response(status: &str, description: &str) -> Value {
    let mut response = json!({
        "description": description,
        "content": { PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } } }
    });
    let headers = match status {
        "429" | "503" => json!({ "Retry-After": {
            "description": "Seconds to wait",
            "schema": { "type": "string" }
        } }),
        "401" => json!({ "WWW-Authenticate": {
            "description": "The scheme to sign in with",
            "schema": { "type": "string", "const": crate::problem::WWW_AUTHENTICATE }
        } }),
        _ => return response,
    };
    response["headers"] = headers;
    response
}

/// The problem answers, once, under `components/responses`.
fn add_shared_responses(doc: &mut Value) {
    let responses: Map<String, Value> = ERRORS
        .iter()
        .map(|(status, name, description)| {
            ((*name).to_owned(), problem_response(status, description))
        })
        .collect();
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.insert("responses".into(), Value::Object(responses));
    }
}

/// The tags' descriptions (in the order a reader meets them) and the one
/// server: the origin the document is served from.
fn describe_tags_and_servers(doc: &mut Value) {
    let Some(doc) = doc.as_object_mut() else {
        return;
    };
    let tags: Vec<Value> = TAGS
        .iter()
        .map(|(name, description)| json!({ "name": name, "description": description }))
        .collect();
    doc.insert("tags".into(), Value::Array(tags));
    doc.insert(
        "servers".into(),
        json!([{ "url": "/", "description": "The origin serving this document" }]),
    );
}

/// Every operation's error answers, as references to the shared ones; 429
/// only on the POSTs that create (the rate-limited writes are all among
/// them).
fn add_error_responses(path: &str, method: &str, op: &mut Map<String, Value>) {
    let public = path == "/health" || path == "/openapi.json";
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else { return };
    for (status, name, _) in ERRORS {
        if public && !matches!(status, "500" | "503") {
            continue;
        }
        if status == "429" && method != "post" {
            continue;
        }
        responses
            .entry(status.to_owned())
            .or_insert_with(|| json!({ "$ref": format!("#/components/responses/{name}") }));
    }
}

/// A media type's entry for raw bytes.
fn bytes_media() -> Value {
    json!({ "schema": { "type": "string", "format": "binary" } })
}

fn binary_content() -> Value {
    let mut content = Map::new();
    for t in DEFAULT_CONTENT_TYPES {
        content.insert((*t).to_owned(), bytes_media());
    }
    Value::Object(content)
}

/// Upload bodies are described as `application/octet-stream` bytes alone,
/// the one binary type every generator handles; the operations' own
/// descriptions say how the document's type is given.
fn set_upload_body(op: &mut Map<String, Value>) {
    if let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) {
        body.insert(
            "content".into(),
            json!({ "application/octet-stream": bytes_media() }),
        );
        body.insert("required".into(), Value::Bool(true));
    }
}

fn set_download_types(op: &mut Map<String, Value>) {
    if let Some(ok) = op
        .get_mut("responses")
        .and_then(|r| r.get_mut("200"))
        .and_then(Value::as_object_mut)
    {
        ok.insert("content".into(), binary_content());
    }
}

/// Replaces every `copkit:*` format marker by the rule it names, and closes
/// every object schema (`additionalProperties: false`): inputs refuse
/// unknown fields, outputs never carry any.
fn apply_markers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // A marker on a list field lands on its items; `unique` belongs
            // to the list itself.
            if let Some(items) = map.get_mut("items").and_then(Value::as_object_mut)
                && let Some(Value::String(format)) = items.get("format").cloned()
                && let Some(markers) = format.strip_prefix("copkit:")
                && markers.split('+').any(|m| m == "unique")
            {
                let rest: Vec<&str> = markers.split('+').filter(|m| *m != "unique").collect();
                if rest.is_empty() {
                    items.remove("format");
                } else {
                    items.insert(
                        "format".into(),
                        Value::String(format!("copkit:{}", rest.join("+"))),
                    );
                }
                map.insert("uniqueItems".into(), Value::Bool(true));
            }
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            if let Some(Value::String(format)) = map.get("format").cloned()
                && let Some(markers) = format.strip_prefix("copkit:")
            {
                map.remove("format");
                for marker in markers.split('+') {
                    apply_marker(map, marker);
                }
            }
            for v in map.values_mut() {
                apply_markers(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(apply_markers),
        _ => {}
    }
}

fn apply_marker(map: &mut Map<String, Value>, marker: &str) {
    let pattern = |map: &mut Map<String, Value>, p: &str| {
        map.insert("pattern".into(), Value::String(p.to_owned()));
    };
    match marker {
        "line" => pattern(map, patterns::LINE),
        "line-or-empty" => pattern(map, patterns::LINE_OR_EMPTY),
        "text" => pattern(map, patterns::TEXT),
        "nonblank-text" => pattern(map, patterns::NONBLANK_TEXT),
        "ulid" => pattern(map, patterns::ULID),
        "user-id" => pattern(map, patterns::USER_ID),
        "web-link" => pattern(map, patterns::WEB_LINK),
        "tag-list" => pattern(map, TAG_LIST),
        "occurrence" => pattern(map, OCCURRENCE),
        "token" => pattern(map, "^[A-Za-z0-9_-]{1,2000}$"),
        "content-type" => {
            map.remove("type");
            map.remove("pattern");
            map.insert("$ref".into(), json!("#/components/schemas/ContentType"));
        }
        "unique" => {
            map.insert("uniqueItems".into(), Value::Bool(true));
        }
        // On an item schema (where a list field's format lands).
        "items-line" => {
            pattern(map, patterns::LINE);
            map.insert("minLength".into(), json!(1));
            map.insert("maxLength".into(), json!(200));
        }
        "items-tag" => pattern(map, patterns::TAG),
        "items-index" => {
            map.insert("minimum".into(), json!(0));
            map.insert("maximum".into(), json!(19));
        }
        "time-zone" => {
            map.remove("type");
            map.remove("pattern");
            map.insert("$ref".into(), json!("#/components/schemas/TimeZone"));
        }
        _ => {}
    }
}

/// Points each page type's `items` at the named schema of its item, where
/// utoipa inlines a copy (`Page_Thread` holds `Thread`s), so generators make
/// one class per concept instead of a `PageThreadItemsItem` beside `Thread`.
fn reference_page_items(schemas: &mut Map<String, Value>) {
    let pages: Vec<(String, String)> = schemas
        .keys()
        .filter_map(|name| Some((name.clone(), name.strip_prefix("Page_")?.to_owned())))
        .collect();
    for (page, item) in pages {
        let Some(named) = schemas.get(&item).cloned() else {
            continue;
        };
        if let Some(inline) = schemas
            .get_mut(&page)
            .and_then(|p| p.pointer_mut("/properties/items/items"))
            .filter(|inline| **inline == named)
        {
            *inline = json!({ "$ref": format!("#/components/schemas/{item}") });
        }
    }
}

/// Names the variants of every tagged union among `schemas` (a `oneOf` of
/// objects that all require one property with a single value, serde's
/// internal tag) and adds its `discriminator`.
fn name_tagged_variants(schemas: &mut Map<String, Value>) {
    let unions: Vec<String> = schemas
        .iter()
        .filter(|(_, schema)| union_tag(schema).is_some())
        .map(|(name, _)| name.clone())
        .collect();
    'unions: for union in unions {
        let Some(schema) = schemas.get(&union) else {
            continue;
        };
        let Some(tag) = union_tag(schema) else {
            continue;
        };
        let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
        let mut refs = Vec::new();
        let mut mapping = Map::new();
        let mut named = Vec::new();
        for variant in variants {
            let Some(value) = tag_value(&variant, &tag) else {
                continue 'unions;
            };
            let name = format!("{union}{}", pascal_case(&value));
            if schemas.contains_key(&name) {
                continue 'unions;
            }
            let reference = format!("#/components/schemas/{name}");
            refs.push(json!({ "$ref": reference }));
            mapping.insert(value, Value::String(reference));
            named.push((name, variant));
        }
        for (name, variant) in named {
            schemas.insert(name, variant);
        }
        if let Some(schema) = schemas.get_mut(&union).and_then(Value::as_object_mut) {
            schema.insert("oneOf".into(), Value::Array(refs));
            schema.insert(
                "discriminator".into(),
                json!({ "propertyName": tag, "mapping": mapping }),
            );
        }
    }
}

/// The tag property of a tagged union: the one every `oneOf` alternative
/// requires with a single value (`type` when there are several).
fn union_tag(schema: &Value) -> Option<String> {
    let variants = schema.get("oneOf")?.as_array()?;
    let mut common: Option<Vec<String>> = None;
    for variant in variants {
        let required = variant.get("required")?.as_array()?;
        let tags: Vec<String> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|field| tag_value(variant, field).is_some())
            .map(str::to_owned)
            .collect();
        common = Some(match common {
            None => tags,
            Some(before) => before.into_iter().filter(|t| tags.contains(t)).collect(),
        });
    }
    let common = common?;
    if common.iter().any(|t| t == "type") {
        return Some("type".into());
    }
    common.into_iter().next()
}

/// The single value a variant gives its tag `field`.
fn tag_value(variant: &Value, field: &str) -> Option<String> {
    let property = variant.get("properties")?.get(field)?;
    if let Some(value) = property.get("const").and_then(Value::as_str) {
        return Some(value.to_owned());
    }
    match property.get("enum")?.as_array()?.as_slice() {
        [Value::String(value)] => Some(value.clone()),
        _ => None,
    }
}

/// `thread_started` → `ThreadStarted`.
fn pascal_case(snake: &str) -> String {
    snake
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The document types the library accepts, one named enum wherever a type
/// is named (upload intents and the upload operations' query).
fn content_type_schema() -> Value {
    let var_names: Vec<String> = DEFAULT_CONTENT_TYPES
        .iter()
        .map(|t| enum_var_name(t))
        .collect();
    json!({
        "type": "string",
        "description": "A document type the library accepts.",
        "enum": DEFAULT_CONTENT_TYPES,
        "x-enum-varnames": var_names,
    })
}

/// The `TimeZone` schema: every name copkit knows, each with a variable
/// name for generated code.
fn time_zone_schema() -> Value {
    let names = time_zone_names();
    let var_names: Vec<String> = names.iter().map(|n| enum_var_name(n)).collect();
    json!({
        "type": "string",
        "description": "An IANA time-zone name, such as `Europe/London`.",
        "enum": names,
        "x-enum-varnames": var_names,
    })
}

/// An enum value (a time-zone name, a media type) as an identifier: letters
/// and digits upper-cased, a sign before a digit spelled out (`Etc/GMT+1` →
/// `ETC_GMT_PLUS_1`, `Etc/GMT-1` → `ETC_GMT_MINUS_1`), anything else an
/// underscore.
fn enum_var_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        let before_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        match c {
            '+' if before_digit => out.push_str("_PLUS_"),
            '-' if before_digit => out.push_str("_MINUS_"),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => out.push('_'),
        }
    }
    let mut collapsed = String::new();
    for part in out.split('_').filter(|p| !p.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push('_');
        }
        collapsed.push_str(part);
    }
    collapsed
}

/// Every IANA time zone name copkit knows (its bundled database), sorted.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| jiff::tz::TimeZone::get(n).is_ok())
        .collect();
    names.sort();
    names.dedup();
    names
}
