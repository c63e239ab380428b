//! The archive's write path: one group commit of 64 receipts (verify together, append, one
//! checkpoint, 64 acknowledgements, durable commit) into a real SQLite file.

use consent_tests::fixtures::{example_form_content, key, purpose};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use shared::objects::{ConsentForm, ConsentReceipt, Decision, EnrolmentRequest};
use shared::primitives::PublicKey;
use shared::{sign, Lang, Timestamp};
use verifier::archive::{Archive, Roster, Submission};
use verifier::keys;

const GROUP: usize = 64;

/// A guardian's device: its key, its certificate and the last receipt it signed.
struct Device {
    key: ed25519_dalek::SigningKey,
    certificate: shared::Signed<shared::objects::EnrolmentCertificate>,
    previous: Option<shared::primitives::Digest>,
}

/// A school with `GROUP` enrolled guardians; returns the archive, their devices and the form.
fn school(dir: &std::path::Path) -> (Archive, Vec<Device>, shared::primitives::Digest) {
    let now = verifier::clock::now().expect("clock");
    let (mut archive, school) = Archive::init(dir, now, &mut rand_core::OsRng).expect("init");
    let root = keys::read_secret(&dir.join(keys::ROOT_KEY)).expect("root key");
    let form = sign(ConsentForm::new(school, 1, now, None, example_form_content()), &root).expect("form");
    archive.publish_form(form.bytes(), now).expect("publish");
    let mut roster = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
    for i in 0..GROUP {
        roster += &format!("s-{i},Student {i},3A,2018-01-01,,Parent {i},p{i}@example.org,,\n");
    }
    let expires = Timestamp::from_unix(now.unix() + 86_400).expect("in range");
    let invited = archive
        .invite(&Roster::parse(&roster).expect("roster"), &root, expires, now, &mut rand_core::OsRng)
        .expect("invite");
    let devices = invited
        .iter()
        .enumerate()
        .map(|(i, person)| {
            let key = key(&format!("criterion/archive/{i}"));
            let request = EnrolmentRequest {
                school,
                invitation: person.invitation.hash(),
                key: PublicKey::of(&key),
                client_time: now,
            };
            let request = sign(request, &key).expect("request");
            let certificate = archive.enrol(person.invitation.bytes(), request.bytes(), now).expect("enrol");
            Device { key, certificate: certificate.signed().clone(), previous: None }
        })
        .collect();
    (archive, devices, form.hash())
}

/// The next receipt of every device, extending its chain.
fn next_group(devices: &mut [Device], form: shared::primitives::Digest) -> Vec<Submission> {
    let now = verifier::clock::now().expect("clock");
    devices
        .iter_mut()
        .map(|device| {
            let decision = if device.previous.is_none() { Decision::Grant } else { Decision::Refuse };
            let decisions = [(purpose("meals"), decision)].into();
            let body = ConsentReceipt::by(&device.certificate, form, decisions, now, device.previous, Lang::En);
            let receipt = sign(body, &device.key).expect("receipt");
            device.previous = Some(receipt.hash());
            Submission::Receipt(receipt.bytes().to_vec())
        })
        .collect()
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut archive, mut devices, form) = school(dir.path());
    let mut group = c.benchmark_group("archive");
    group.throughput(Throughput::Elements(GROUP as u64));
    group.sample_size(20);
    group.bench_function("submit_many/64", |b| {
        b.iter_batched(
            || next_group(&mut devices, form),
            |submissions| {
                let now = verifier::clock::now().expect("clock");
                assert!(archive.submit_many(&submissions, now).iter().all(Result::is_ok));
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// What a receipt costs besides its signature: decoding it, and verifying it through the chain of
/// trust (decode + signature + rules).
fn receipt(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (archive, mut devices, form) = school(dir.path());
    let Submission::Receipt(bytes) = next_group(&mut devices, form).swap_remove(0) else { unreachable!() };
    let certificate = archive.certificate(devices[0].certificate.hash()).expect("read").expect("enrolled");
    let form = archive.form(form).expect("read").expect("published");
    let mut group = c.benchmark_group("receipt");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode", |b| b.iter(|| shared::decode::<ConsentReceipt>(std::hint::black_box(&bytes))));
    group.bench_function("verify_through_trust", |b| {
        b.iter(|| archive.trust().receipt(std::hint::black_box(&bytes), &certificate, &form))
    });
    group.finish();
}

criterion_group!(benches, ingest, receipt);
criterion_main!(benches);
