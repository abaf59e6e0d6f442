//! The deploy template (`lambda/template.yaml`) agrees with the code: the
//! table is exactly [`DEFINITION`], the function is the arm64 `bootstrap`
//! on provided.al2023 with its configuration, the API's public routes are
//! only `/health`, `/openapi.json` and the `/docs` page, and the IAM policy grants what the
//! store uses and nothing wider (no Scan, no wildcards).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use copkit_aws::dynamo::table::DEFINITION;
use serde_norway::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn resource<'a>(template: &'a Value, name: &str) -> &'a Value {
    let resource = &template["Resources"][name];
    assert!(!resource.is_null(), "the template declares {name}");
    resource
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value:?}"))
}

fn list(value: &Value) -> &Vec<Value> {
    value
        .as_sequence()
        .unwrap_or_else(|| panic!("expected a list, got {value:?}"))
}

/// `[(attribute, HASH|RANGE)]` of a key schema.
fn key_schema(value: &Value) -> Vec<(String, String)> {
    list(value)
        .iter()
        .map(|k| {
            (
                text(&k["AttributeName"]).to_owned(),
                text(&k["KeyType"]).to_owned(),
            )
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn the_table_is_the_one_the_code_creates() {
    let template = template();
    let table = resource(&template, "Table");
    assert_eq!(text(&table["Type"]), "AWS::DynamoDB::Table");
    let props = &table["Properties"];
    assert_eq!(text(&props["BillingMode"]), DEFINITION.billing_mode);
    assert_eq!(
        key_schema(&props["KeySchema"]),
        vec![
            pair(DEFINITION.partition_key, "HASH"),
            pair(DEFINITION.sort_key, "RANGE")
        ]
    );

    let declared: BTreeSet<(String, String)> = list(&props["AttributeDefinitions"])
        .iter()
        .map(|a| pair(text(&a["AttributeName"]), text(&a["AttributeType"])))
        .collect();
    let expected: BTreeSet<(String, String)> = DEFINITION
        .key_attributes()
        .into_iter()
        .map(|name| pair(name, "S"))
        .collect();
    assert_eq!(declared, expected, "attribute definitions");

    let indexes = list(&props["GlobalSecondaryIndexes"]);
    assert_eq!(indexes.len(), DEFINITION.indexes.len());
    for (declared, index) in indexes.iter().zip(DEFINITION.indexes) {
        assert_eq!(text(&declared["IndexName"]), index.name);
        assert_eq!(
            key_schema(&declared["KeySchema"]),
            vec![
                pair(index.partition_key, "HASH"),
                pair(index.sort_key, "RANGE")
            ],
            "{}",
            index.name
        );
        assert_eq!(text(&declared["Projection"]["ProjectionType"]), "ALL");
    }

    let ttl = &props["TimeToLiveSpecification"];
    assert_eq!(text(&ttl["AttributeName"]), DEFINITION.ttl_attribute);
    assert_eq!(ttl["Enabled"].as_bool(), Some(true));
    assert_eq!(
        props["SSESpecification"]["SSEEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(text(&table["DeletionPolicy"]), "Retain");
    // The search feed reads the stream the code's tables have too.
    assert_eq!(
        text(&props["StreamSpecification"]["StreamViewType"]),
        "NEW_AND_OLD_IMAGES"
    );
}

#[test]
fn the_search_feed_runs_from_the_stream_through_a_fifo_queue() {
    let template = template();
    let indexer = &resource(&template, "SearchIndexerFunction")["Properties"];
    let stream = &indexer["Events"]["TableChanges"]["Properties"];
    assert_eq!(stream["Stream"]["Fn::GetAtt"][0], "Table");
    assert_eq!(stream["Stream"]["Fn::GetAtt"][1], "StreamArn");
    assert_eq!(stream["BisectBatchOnFunctionError"].as_bool(), Some(true));
    assert_eq!(
        stream["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0],
        "SearchStreamFailures"
    );
    // The filter lets exactly the content items through.
    let pattern: serde_json::Value = serde_json::from_str(text(
        &list(&stream["FilterCriteria"]["Filters"])[0]["Pattern"],
    ))
    .unwrap();
    assert_eq!(pattern["dynamodb"]["Keys"]["SK"]["S"][0], "META");
    let prefixes: Vec<&str> = pattern["dynamodb"]["Keys"]["PK"]["S"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prefix"].as_str().unwrap())
        .collect();
    assert_eq!(prefixes, ["THREAD#", "POST#", "DOC#", "EVENT#"]);
    for prefix in prefixes {
        let change = copkit_lambda::search_feed::StreamChange {
            event_id: "e".into(),
            pk: format!("{prefix}01KDVDNA0020YM9GGZ01RWHET8"),
            sk: "META".into(),
            community: Some("01KDVDNA0020YM9GGZ01RWHET7".into()),
        };
        assert!(
            copkit_lambda::search_feed::content_of(&change).is_some(),
            "{prefix}"
        );
    }

    let queue = &indexer["Events"]["SearchMessages"]["Properties"];
    assert_eq!(queue["Queue"]["Fn::GetAtt"][0], "SearchQueue");
    assert_eq!(
        list(&queue["FunctionResponseTypes"])[0],
        "ReportBatchItemFailures"
    );
    let fifo = &resource(&template, "SearchQueue")["Properties"];
    assert_eq!(fifo["FifoQueue"].as_bool(), Some(true));
    assert!(
        fifo["VisibilityTimeout"].as_u64().unwrap() >= 6 * indexer["Timeout"].as_u64().unwrap()
    );
    assert_eq!(
        fifo["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "SearchDeadLetters"
    );
    assert_eq!(
        text(&indexer["Environment"]["Variables"]["COPKIT_SEARCH_QUEUE"]["Ref"]),
        "SearchQueue"
    );
    // Its index objects only, and old versions do not pile up.
    let rules =
        list(&resource(&template, "Documents")["Properties"]["LifecycleConfiguration"]["Rules"]);
    assert!(rules.iter().any(
        |r| r["Prefix"] == "search/" && r["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    ));
}

#[test]
fn the_api_and_the_scheduler_hand_searches_to_the_search_function() {
    let template = template();
    for name in ["ApiFunction", "SchedulerFunction"] {
        let props = &resource(&template, name)["Properties"];
        assert_eq!(
            text(&props["Environment"]["Variables"]["COPKIT_SEARCH_FUNCTION"]["Ref"]),
            "SearchIndexerFunction",
            "{name}"
        );
        let statements: Vec<&Value> = list(&props["Policies"])
            .iter()
            .flat_map(|p| p["Statement"].as_sequence().into_iter().flatten())
            .collect();
        let invoke = statements
            .iter()
            .find(|s| {
                s["Action"]
                    .as_sequence()
                    .is_some_and(|a| a.contains(&Value::from("lambda:InvokeFunction")))
            })
            .unwrap_or_else(|| panic!("{name} may not invoke the search function"));
        assert_eq!(invoke["Resource"]["Fn::GetAtt"][0], "SearchIndexerFunction");
        assert_eq!(invoke["Resource"]["Fn::GetAtt"][1], "Arn");
    }
}

#[test]
fn the_function_is_the_arm64_bootstrap_with_its_configuration() {
    let template = template();
    let function = resource(&template, "ApiFunction");
    let props = &function["Properties"];
    assert_eq!(text(&props["Runtime"]), "provided.al2023");
    assert_eq!(list(&props["Architectures"]), &vec![Value::from("arm64")]);
    assert_eq!(text(&props["Handler"]), "bootstrap");
    // The zip lambda/package.sh builds, taken as it is (a directory would be
    // zipped again by `sam package`, a zip inside a zip).
    assert_eq!(
        text(&props["CodeUri"]),
        "../target/lambda/bootstrap/bootstrap.zip"
    );
    let env = &props["Environment"]["Variables"];
    assert_eq!(text(&env["COPKIT_TABLE"]["Ref"]), "Table");
    assert_eq!(text(&env["COPKIT_BUCKET"]["Ref"]), "Documents");
    assert_eq!(text(&env["COPKIT_CURSOR_KEY"]["Ref"]), "CursorKey");
    // Email invitations carry the app's accept link.
    assert_eq!(
        text(&env["COPKIT_INVITATION_LINK"]["Ref"]),
        "InvitationLink"
    );
    assert_eq!(
        template["Parameters"]["CursorKey"]["NoEcho"].as_bool(),
        Some(true)
    );
    // mimalloc commits its arenas lazily (peak memory), and the cold-start
    // benchmark starts bootstrap the same way.
    assert_eq!(text(&env["MIMALLOC_ARENA_EAGER_COMMIT"]), "0");
    let coldstart = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("coldstart.py"),
    )
    .unwrap();
    assert!(coldstart.contains(r#""MIMALLOC_ARENA_EAGER_COMMIT": "0""#));
}

#[test]
fn only_health_the_openapi_document_its_docs_page_calendar_feeds_and_unsubscribe_skip_the_authorizer()
 {
    let template = template();
    let api = resource(&template, "Api");
    assert_eq!(text(&api["Type"]), "AWS::Serverless::HttpApi");
    let auth = &api["Properties"]["Auth"];
    assert_eq!(text(&auth["DefaultAuthorizer"]), "Jwt");
    let jwt = &auth["Authorizers"]["Jwt"];
    assert_eq!(text(&jwt["JwtConfiguration"]["issuer"]["Ref"]), "JwtIssuer");

    let events = resource(&template, "ApiFunction")["Properties"]["Events"]
        .as_mapping()
        .unwrap();
    let mut public = BTreeSet::new();
    for (_, event) in events {
        assert_eq!(text(&event["Type"]), "HttpApi");
        let props = &event["Properties"];
        assert_eq!(text(&props["ApiId"]["Ref"]), "Api");
        if props["Auth"]["Authorizer"].as_str() == Some("NONE") {
            public.insert(format!(
                "{} {}",
                text(&props["Method"]),
                text(&props["Path"])
            ));
        }
    }
    assert_eq!(
        public,
        BTreeSet::from([
            "GET /health".to_owned(),
            "GET /openapi.json".to_owned(),
            "GET /docs".to_owned(),
            "GET /docs/{proxy+}".to_owned(),
            "GET /calendar/{token}".to_owned(),
            "GET /unsubscribe/{token}".to_owned(),
            "POST /unsubscribe/{token}".to_owned(),
        ])
    );
}

/// Every action the function's policies allow.
fn allowed_actions(template: &Value) -> BTreeSet<String> {
    let policies = list(&resource(template, "ApiFunction")["Properties"]["Policies"]);
    let mut actions = BTreeSet::new();
    for policy in policies {
        for statement in list(&policy["Statement"]) {
            assert_eq!(text(&statement["Effect"]), "Allow");
            for action in list(&statement["Action"]) {
                actions.insert(text(action).to_owned());
            }
        }
    }
    actions
}

#[test]
fn the_policy_allows_what_the_stores_use_and_nothing_wider() {
    let template = template();
    let actions = allowed_actions(&template);
    // DynamoStore: GetItem, BatchGetItem, Query; TransactWriteItems is
    // authorised per item (Put/Update/Delete/ConditionCheck). S3BlobStore:
    // Put/Get/Head/Copy/Delete object; HeadObject needs ListBucket to see 404.
    let needed = [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
        // InvokedSearch: searches handed to the search function.
        "lambda:InvokeFunction",
    ];
    let expected: BTreeSet<String> = needed.iter().map(|a| (*a).to_owned()).collect();
    assert_eq!(actions, expected);
    assert!(
        actions
            .iter()
            .all(|a| !a.contains('*') && !a.contains("Scan"))
    );
}

#[test]
fn the_bucket_is_private_encrypted_and_tls_only() {
    let template = template();
    let bucket = &resource(&template, "Documents")["Properties"];
    let block = &bucket["PublicAccessBlockConfiguration"];
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[setting].as_bool(), Some(true), "{setting}");
    }
    let encryption = &list(&bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"])[0];
    assert_eq!(
        text(&encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"]),
        "AES256"
    );
    let rules = list(&bucket["LifecycleConfiguration"]["Rules"]);
    assert!(
        rules
            .iter()
            .any(|r| r["Prefix"].as_str() == Some("uploads/")
                && r["ExpirationInDays"].as_i64() == Some(1)),
        "unfiled uploads expire"
    );
    let policy = &resource(&template, "DocumentsOnlyOverTls")["Properties"]["PolicyDocument"];
    let statement = &list(&policy["Statement"])[0];
    assert_eq!(text(&statement["Effect"]), "Deny");
    assert_eq!(
        text(&statement["Condition"]["Bool"]["aws:SecureTransport"]),
        "false"
    );
}

#[test]
fn the_scheduler_runs_hourly_and_every_minute_on_the_table_and_purges_only_document_bytes() {
    let template = template();
    let function = resource(&template, "SchedulerFunction");
    let properties = &function["Properties"];
    assert_eq!(text(&properties["Runtime"]), "provided.al2023");
    assert_eq!(
        list(&properties["Architectures"]),
        &vec![Value::from("arm64")]
    );
    assert_eq!(
        text(&properties["CodeUri"]),
        "../target/lambda/scheduler/bootstrap.zip"
    );
    // Two retries of a run that throws, none after an hour.
    let retries = &properties["EventInvokeConfig"];
    assert_eq!(retries["MaximumRetryAttempts"], 2);
    assert_eq!(retries["MaximumEventAgeInSeconds"], 3600);
    // One run at a time; a run that throws goes to a dead-letter queue.
    assert_eq!(properties["ReservedConcurrentExecutions"], 1);
    assert_eq!(text(&properties["DeadLetterQueue"]["Type"]), "SQS");
    assert_eq!(
        properties["DeadLetterQueue"]["TargetArn"]["Fn::GetAtt"][0],
        "SchedulerDeadLetters"
    );
    assert_eq!(
        text(&resource(&template, "SchedulerDeadLetters")["Type"]),
        "AWS::SQS::Queue"
    );
    let schedule = &properties["Events"]["Hourly"];
    assert_eq!(text(&schedule["Type"]), "Schedule");
    assert_eq!(text(&schedule["Properties"]["Schedule"]), "rate(1 hour)");
    // Every minute, the notifications job alone (what `scheduled::run`
    // reads from the event it is given).
    let minute = &properties["Events"]["EveryMinute"];
    assert_eq!(text(&minute["Properties"]["Schedule"]), "rate(1 minute)");
    let input: serde_json::Value =
        serde_json::from_str(text(&minute["Properties"]["Input"])).unwrap();
    assert_eq!(input["source"], "aws.events");
    assert_eq!(input["detail-type"], "Scheduled Event");
    assert_eq!(input["detail"]["job"], "notifications");
    // Sending mail without a configuration set of one's own makes one that
    // suppresses addresses that bounce or complain, and sends through it.
    let set = resource(&template, "MailConfigurationSet");
    assert_eq!(text(&set["Type"]), "AWS::SES::ConfigurationSet");
    assert_eq!(text(&set["Condition"]), "MakesConfigurationSet");
    assert_eq!(
        list(&set["Properties"]["SuppressionOptions"]["SuppressedReasons"]),
        &vec![Value::from("BOUNCE"), Value::from("COMPLAINT")]
    );
    let chosen = &properties["Environment"]["Variables"]["COPKIT_SES_CONFIGURATION_SET"]["Fn::If"];
    assert_eq!(chosen[0], "MakesConfigurationSet");
    assert_eq!(chosen[1]["Ref"], "MailConfigurationSet");
    let mut actions = BTreeSet::new();
    for policy in list(&properties["Policies"]) {
        for statement in list(&policy["Statement"]) {
            for action in list(&statement["Action"]) {
                actions.insert(text(action).to_owned());
            }
        }
    }
    let purge: BTreeSet<String> = [
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:ListBucketVersions",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    let (ses, actions): (BTreeSet<String>, BTreeSet<String>) =
        actions.into_iter().partition(|a| a.starts_with("ses:"));
    assert_eq!(
        ses,
        BTreeSet::from(["ses:SendEmail".to_owned()]),
        "SES only to send the outbox"
    );
    let variables = &properties["Environment"]["Variables"];
    assert_eq!(text(&variables["COPKIT_MAIL_FROM"]["Ref"]), "MailFrom");
    // Unsubscribe links point at the API (or the custom domain given).
    assert_eq!(
        variables["COPKIT_PUBLIC_URL"]["Fn::If"][1]["Ref"],
        "PublicUrl"
    );
    assert_eq!(
        variables["COPKIT_SES_CONFIGURATION_SET"]["Fn::If"][2]["Ref"],
        "SesConfigurationSet"
    );
    let (s3, table): (BTreeSet<String>, BTreeSet<String>) = actions
        .iter()
        .filter(|a| *a != "lambda:InvokeFunction")
        .cloned()
        .partition(|a| a.starts_with("s3:"));
    assert_eq!(s3, purge, "S3 only to purge removed documents' bytes");
    assert!(
        table.iter().all(|a| a.starts_with("dynamodb:")),
        "{table:?}"
    );
    assert!(table.is_subset(&allowed_actions(&template)));
    for policy in list(&properties["Policies"]) {
        for statement in list(&policy["Statement"]) {
            if text(&statement["Sid"]) == "SendTheOutbox" {
                // From the account's own identities, in its own region.
                for resource in list(&statement["Resource"]) {
                    let arn = text(&resource["Fn::Sub"]);
                    assert!(
                        arn.starts_with(
                            "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
                        ),
                        "{arn}"
                    );
                }
            }
            if text(&statement["Sid"]) == "PurgeRemovedDocumentBytes" {
                assert_eq!(
                    statement["Resource"]["Fn::Sub"],
                    "${Documents.Arn}/documents/*"
                );
            }
        }
    }
    assert!(
        !actions
            .iter()
            .any(|a| a.contains("Scan") || a.contains('*'))
    );
}

/// The zips the template names are the ones the package script writes.
#[test]
fn the_package_script_writes_the_zips_the_template_names() {
    let script =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/package.sh")).unwrap();
    assert!(script.contains("--output-format zip"), "{script}");
    assert!(script.contains("--arm64"), "{script}");
    let template = template();
    for (function, binary) in [
        ("ApiFunction", "bootstrap"),
        ("SchedulerFunction", "scheduler"),
        ("SearchIndexerFunction", "search-indexer"),
    ] {
        let code = text(&resource(&template, function)["Properties"]["CodeUri"]);
        assert_eq!(code, format!("../target/lambda/{binary}/bootstrap.zip"));
        assert!(script.contains(&format!("--bin {binary}")), "{script}");
    }
}

#[test]
fn every_function_logs_to_a_group_with_retention() {
    let template = template();
    let retention = &template["Parameters"]["LogRetentionDays"];
    assert_eq!(retention["Default"], 30);
    for (function, group) in [
        ("ApiFunction", "ApiFunctionLogs"),
        ("SchedulerFunction", "SchedulerFunctionLogs"),
        ("SearchIndexerFunction", "SearchIndexerFunctionLogs"),
    ] {
        let logging = &resource(&template, function)["Properties"]["LoggingConfig"];
        assert_eq!(text(&logging["LogGroup"]["Ref"]), group);
        assert_eq!(text(&logging["LogFormat"]), "JSON");
        let group = resource(&template, group);
        assert_eq!(text(&group["Type"]), "AWS::Logs::LogGroup");
        assert_eq!(
            text(&group["Properties"]["RetentionInDays"]["Ref"]),
            "LogRetentionDays"
        );
    }
    // The API's access log: JSON with the request id the function logs.
    let access = &resource(&template, "Api")["Properties"]["AccessLogSettings"];
    assert_eq!(access["DestinationArn"]["Fn::GetAtt"][0], "ApiAccessLog");
    let format = text(&access["Format"]);
    let line: serde_json::Value = serde_json::from_str(format).unwrap();
    assert_eq!(line["requestId"], "$context.requestId");
    assert_eq!(line["status"], "$context.status");
    assert_eq!(
        text(&resource(&template, "ApiAccessLog")["Properties"]["RetentionInDays"]["Ref"]),
        "LogRetentionDays"
    );
    // Tracing is a parameter every function takes.
    assert_eq!(
        text(&template["Globals"]["Function"]["Tracing"]["Ref"]),
        "Tracing"
    );
}

/// `(namespace, metric)` of an alarm on one metric, or of each metric its
/// math reads.
fn alarmed_metrics(alarm: &Value) -> Vec<(String, String)> {
    let props = &alarm["Properties"];
    if props["Metrics"].is_null() {
        return vec![(
            text(&props["Namespace"]).to_owned(),
            text(&props["MetricName"]).to_owned(),
        )];
    }
    list(&props["Metrics"])
        .iter()
        .filter(|m| !m["MetricStat"].is_null())
        .map(|m| {
            let metric = &m["MetricStat"]["Metric"];
            (
                text(&metric["Namespace"]).to_owned(),
                text(&metric["MetricName"]).to_owned(),
            )
        })
        .collect()
}

#[test]
fn alarms_cover_errors_latency_throttles_and_failed_scheduled_runs() {
    let template = template();
    let mut alarmed = BTreeSet::new();
    for (name, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"] != "AWS::CloudWatch::Alarm" {
            continue;
        }
        let actions = list(&resource["Properties"]["AlarmActions"]);
        assert_eq!(
            text(&actions[0]["Ref"]),
            "AlarmTopic",
            "{name:?} notifies the alarm topic"
        );
        for metric in alarmed_metrics(resource) {
            alarmed.insert(metric);
        }
    }
    for expected in [
        ("AWS/ApiGateway", "5xx"),
        ("AWS/ApiGateway", "Count"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/Lambda", "Errors"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    ] {
        assert!(
            alarmed.contains(&pair(expected.0, expected.1)),
            "an alarm on {expected:?}: {alarmed:?}"
        );
    }
    // The error alarm is a rate (metric math), not a count.
    let rate = &resource(&template, "ApiServerErrorRateAlarm")["Properties"];
    let expression = list(&rate["Metrics"])
        .iter()
        .find_map(|m| m["Expression"].as_str())
        .unwrap();
    assert!(expression.contains("errors / requests"), "{expression}");
    assert_eq!(rate["Threshold"], 1);
    let p99 = &resource(&template, "ApiLatencyP99Alarm")["Properties"];
    assert_eq!(text(&p99["ExtendedStatistic"]), "p99");
    assert_eq!(text(&p99["Threshold"]["Ref"]), "LatencyP99AlarmMs");
    let topic = resource(&template, "AlarmTopic");
    assert_eq!(text(&topic["Type"]), "AWS::SNS::Topic");
}
