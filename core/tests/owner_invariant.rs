//! No sequence of operations leaves a community without an Owner, and the
//! counts on the community record always match its roster.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor};
use copkit_core::model::{JoinPolicy, Role, Visibility};
use copkit_core::store::{MemberFilter, Range};
use copkit_core::{Actor, CommunityId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Join(usize),
    Leave(usize),
    ChangeRole(usize, usize, Role),
    Remove(usize, usize),
    Ban(usize, usize, bool),
    Unban(usize, usize),
    Transfer(usize, usize),
    Wait(i64),
}

const PEOPLE: usize = 5;

fn any_step() -> impl Strategy<Value = Step> {
    let who = 0..PEOPLE;
    let role = prop::sample::select(Role::ALL.to_vec());
    prop_oneof![
        who.clone().prop_map(Step::Join),
        who.clone().prop_map(Step::Leave),
        (who.clone(), who.clone(), role).prop_map(|(a, b, r)| Step::ChangeRole(a, b, r)),
        (who.clone(), who.clone()).prop_map(|(a, b)| Step::Remove(a, b)),
        (who.clone(), who.clone(), any::<bool>()).prop_map(|(a, b, t)| Step::Ban(a, b, t)),
        (who.clone(), who.clone()).prop_map(|(a, b)| Step::Unban(a, b)),
        (who.clone(), who).prop_map(|(a, b)| Step::Transfer(a, b)),
        (1i64..10).prop_map(Step::Wait),
    ]
}

async fn apply(w: &World, c: &CommunityId, people: &[Actor], step: &Step) {
    let p = |i: usize| &people[i];
    // Every outcome is acceptable here; the invariants are checked after.
    let _ = match step {
        Step::Join(a) => w.copkit.join(p(*a), c).await.map(drop),
        Step::Leave(a) => w.copkit.leave(p(*a), c).await,
        Step::ChangeRole(a, b, r) => w
            .copkit
            .change_role(p(*a), c, &p(*b).user, *r)
            .await
            .map(drop),
        Step::Remove(a, b) => w.copkit.remove_member(p(*a), c, &p(*b).user).await,
        Step::Ban(a, b, temporary) => {
            let until = temporary.then_some(3);
            w.copkit
                .ban_member(p(*a), c, &p(*b).user, until, "test")
                .await
                .map(drop)
        }
        Step::Unban(a, b) => w.copkit.unban_member(p(*a), c, &p(*b).user).await,
        Step::Transfer(a, b) => w.copkit.transfer_ownership(p(*a), c, &p(*b).user).await,
        Step::Wait(days) => {
            w.advance_days(*days);
            Ok(())
        }
    };
}

async fn check_invariants(w: &World, c: &CommunityId) -> Result<(), TestCaseError> {
    let community = w.copkit.store().get_community(c).await.unwrap().unwrap();
    // Read the roster straight from the store: the founder may have gone.
    let mut roster = Vec::new();
    let mut range = Range::first(100);
    loop {
        let chunk = w
            .copkit
            .store()
            .list_members(c, MemberFilter::Active, &range)
            .await
            .unwrap();
        roster.extend(chunk.items);
        match chunk.next {
            Some(next) => range.after = Some(next),
            None => break,
        }
    }
    let owners = roster.iter().filter(|m| m.role == Role::Owner).count() as u32;
    let guests = roster.iter().filter(|m| m.role == Role::Guest).count() as u32;
    let members = roster.len() as u32 - guests;
    prop_assert!(owners >= 1, "no owner left: {roster:?}");
    prop_assert_eq!(community.counts.owners, owners);
    prop_assert_eq!(community.counts.members, members);
    prop_assert_eq!(community.counts.guests, guests);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn communities_always_keep_an_owner_and_true_counts(steps in prop::collection::vec(any_step(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let w = World::new();
            let people: Vec<Actor> = (0..PEOPLE).map(|i| actor(&format!("p{i}"))).collect();
            let c = w.community(&people[0], "invariant", Visibility::Public, JoinPolicy::Open).await;
            for step in &steps {
                apply(&w, &c, &people, step).await;
                check_invariants(&w, &c).await?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
