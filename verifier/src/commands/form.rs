//! `verifier form sign` and `verifier form publish`: a consent form version signed offline with
//! the root key, then published in the archive, which names the families it asks to answer again.

use super::{now, read, root_key, write, write_private};
use anyhow::{bail, Context, Result};
use shared::objects::{ConsentForm, FormContent};
use shared::primitives::PublicKey;
use std::path::{Path, PathBuf};
use verifier::archive::Archive;
use verifier::report;

/// Signs the form in `form` (TOML) as the version after the one in force, to `out` (by default
/// `form-vN.json`).
pub fn sign(data: &Path, form: &Path, out: Option<PathBuf>, root: Option<PathBuf>) -> Result<()> {
    let text = std::fs::read_to_string(form).with_context(|| format!("reading {}", form.display()))?;
    let content: FormContent =
        toml::from_str(&text).with_context(|| format!("{} is not a valid form", form.display()))?;
    let root = root_key(data, root)?;
    let archive = Archive::open(data)?;
    if PublicKey::of(&root) != archive.school() {
        bail!("the root key does not belong to the school in {}", data.display());
    }
    let current = archive.current_form()?;
    let version = current.as_ref().map_or(1, |c| c.body().version + 1);
    let supersedes = current.map(|c| c.hash());
    let signed = shared::sign(ConsentForm::new(archive.school(), version, now()?, supersedes, content), &root)?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("form-v{version}.json")));
    write(&out, signed.bytes())?;
    println!("Signed form version {version} ({}) to {}.", signed.hash(), out.display());
    Ok(())
}

/// Publishes the signed form in `signed`, then lists the families it touches in `out_dir`.
pub fn publish(data: &Path, signed: &Path, out_dir: &Path) -> Result<()> {
    let mut archive = Archive::open(data)?;
    let ack = archive.publish_form(&read(signed)?, now()?)?;
    println!("Published; log index {}.", ack.body().log_index);
    reconsent(&archive, out_dir)
}

/// After a new form version: the families whose consents it touches, as a table and as
/// `reconsent.csv`, and how to reach them.
fn reconsent(archive: &Archive, out_dir: &Path) -> Result<()> {
    let families = archive.reconsent(now()?)?;
    if families.is_empty() {
        return Ok(());
    }
    print!("{}", report::reconsent(&families));
    std::fs::create_dir_all(out_dir)?;
    let path = out_dir.join("reconsent.csv");
    write_private(&path, report::reconsent_csv(&families)?.as_bytes())?;
    println!(
        "{} students have a consent given under an earlier version: the people above must grant it again \
         (list in {}). `verifier remind --reconfirm --base-url …` reaches them.",
        families.len(),
        path.display()
    );
    Ok(())
}
