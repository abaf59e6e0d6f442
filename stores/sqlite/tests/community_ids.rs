//! Every community's id is listed, Secret ones included (what rebuilding the
//! search index starts from).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use copkit_core::model::{Access, CommunityKind, JoinPolicy, Visibility};
use copkit_core::service::NewCommunity;
use copkit_core::{Actor, Copkit, UserId};
use copkit_sqlite::{Database, SqliteStore};

#[tokio::test]
async fn every_community_is_listed_secret_ones_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(dir.path().join("copkit.db")).unwrap());
    let k = Copkit::new(Arc::new(store.clone())).unwrap();
    let owner = Actor::new(UserId::new("helen").unwrap());
    assert!(store.community_ids().await.unwrap().is_empty());
    let mut made = Vec::new();
    for (slug, visibility) in [
        ("open-one", Visibility::Public),
        ("private-one", Visibility::Private),
        ("secret-one", Visibility::Secret),
    ] {
        let input = NewCommunity {
            slug: slug.into(),
            name: format!("Group {slug}"),
            purpose: "We learn from each other.".into(),
            kind: CommunityKind::TrainingGroup,
            access: Access::new(visibility, JoinPolicy::Approval),
            join_question: None,
        };
        made.push(k.create_community(&owner, input).await.unwrap().card.id);
    }
    made.sort();
    assert_eq!(store.community_ids().await.unwrap(), made);
}
