//! The table definition, written once: [`create_table`] builds the table
//! from [`DEFINITION`] (tests, local runs), and a test checks that the
//! deploy template (`lambda/template.yaml`) declares exactly the same keys,
//! indexes, projections, billing mode and TTL attribute.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};

use copkit_core::store::StoreError;

use super::errors::sdk_error;

/// A global secondary index: its name and its key attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDefinition {
    /// The index name.
    pub name: &'static str,
    /// Its partition key attribute.
    pub partition_key: &'static str,
    /// Its sort key attribute.
    pub sort_key: &'static str,
}

/// Everything about the table that is not data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDefinition {
    /// The partition key attribute (a string).
    pub partition_key: &'static str,
    /// The sort key attribute (a string).
    pub sort_key: &'static str,
    /// The overloaded global secondary indexes (all project every attribute).
    pub indexes: [IndexDefinition; 3],
    /// The attribute DynamoDB's TTL reads (epoch seconds).
    pub ttl_attribute: &'static str,
    /// The billing mode (`PAY_PER_REQUEST`).
    pub billing_mode: &'static str,
}

/// The user-centric index (a person's memberships, grants, activity).
pub const GSI1: IndexDefinition = IndexDefinition {
    name: "GSI1",
    partition_key: "GSI1PK",
    sort_key: "GSI1SK",
};
/// Ordered views (roster by role, threads by activity, documents by update,
/// the directory by kind, a community's activity).
pub const GSI2: IndexDefinition = IndexDefinition {
    name: "GSI2",
    partition_key: "GSI2PK",
    sort_key: "GSI2SK",
};
/// Sparse views (the directory, pending requests, pinned threads).
pub const GSI3: IndexDefinition = IndexDefinition {
    name: "GSI3",
    partition_key: "GSI3PK",
    sort_key: "GSI3SK",
};

/// The copkit table.
pub const DEFINITION: TableDefinition = TableDefinition {
    partition_key: "PK",
    sort_key: "SK",
    indexes: [GSI1, GSI2, GSI3],
    ttl_attribute: "TTL",
    billing_mode: "PAY_PER_REQUEST",
};

impl TableDefinition {
    /// Every key attribute (table and indexes), all strings.
    pub fn key_attributes(&self) -> Vec<&'static str> {
        let mut names = vec![self.partition_key, self.sort_key];
        for index in &self.indexes {
            names.push(index.partition_key);
            names.push(index.sort_key);
        }
        names
    }
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| StoreError::Internal(e.to_string()))
}

/// Creates the table (and turns on TTL) unless it exists; waits until it is
/// active. For tests and local runs: production tables come from the
/// deploy template.
pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let def = DEFINITION;
    let exists = client.describe_table().table_name(table).send().await;
    if exists.is_ok() {
        return Ok(());
    }
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::from(def.billing_mode))
        .key_schema(key(def.partition_key, KeyType::Hash)?)
        .key_schema(key(def.sort_key, KeyType::Range)?)
        // The search feed reads the table's changes (the template says the same).
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        );
    for name in def.key_attributes() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        );
    }
    for index in def.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .key_schema(key(index.partition_key, KeyType::Hash)?)
                .key_schema(key(index.sort_key, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        );
    }
    match request.send().await {
        Ok(_) => {}
        // Another process created it first.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) => {}
        Err(e) => return Err(sdk_error(e)),
    }
    for _ in 0..100 {
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(sdk_error)?;
        let active = described
            .table()
            .and_then(|t| t.table_status())
            .is_some_and(|s| s.as_str() == "ACTIVE");
        if active {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(def.ttl_attribute)
                .enabled(true)
                .build()
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        )
        .send()
        .await
        .map_err(sdk_error)?;
    Ok(())
}
