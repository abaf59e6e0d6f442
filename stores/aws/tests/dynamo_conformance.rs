//! The whole store conformance suite on `DynamoStore`, against moto: the
//! same checks the in-memory store passes, none left out.

mod moto;

copkit_core::store_conformance_suite!(
    ignore =
        "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)",
    moto::store().await
);
