//! `verifier init` and `verifier delegate`: the school's keys, made once and delegated again
//! before the archive key's delegation runs out.

use super::{days_after, now, root_key};
use anyhow::Result;
use rand_core::OsRng;
use std::path::{Path, PathBuf};
use verifier::archive::Archive;
use verifier::keys;

/// Makes the root key, the archive key, the archive and the first delegation, and prints the
/// school key auditors need.
pub fn init(data: &Path) -> Result<()> {
    let (_, school) = Archive::init(data, now()?, &mut OsRng)?;
    println!("New school in {}.", data.display());
    println!(
        "School public key (give it to auditors; it is also in {}):",
        data.join(keys::SCHOOL_PUBLIC_KEY).display()
    );
    println!("{school}");
    println!("Keep {} offline: it signs forms and invitations.", data.join(keys::ROOT_KEY).display());
    Ok(())
}

/// Renews the archive key's delegation with the root key in `root` (by default the school's)
/// for `days` from now.
pub fn delegate(data: &Path, days: u32, root: Option<PathBuf>) -> Result<()> {
    let root = root_key(data, root)?;
    let mut archive = Archive::open(data)?;
    let now = now()?;
    let until = days_after(now, days)?;
    archive.delegate(&root, until, now)?;
    println!("The archive key is delegated until {until}.");
    Ok(())
}
