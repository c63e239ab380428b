//! `verifier staff invite`, `list` and `revoke`: who may use the console, and in which role
//! (`staff enrol`, for a key kept in a file, is in [`super::paper`] beside what that key signs).

use super::{days_after, now, root_key};
use anyhow::Result;
use base64::Engine as _;
use clap::Args;
use rand_core::OsRng;
use shared::ids::PersonId;
use shared::objects::StaffRole;
use std::path::{Path, PathBuf};
use verifier::archive::{Archive, StaffStatus};

/// Arguments of `verifier staff invite`.
#[derive(Args)]
pub struct InviteArgs {
    /// The name the console greets them with.
    #[arg(long)]
    name: String,
    /// Their role: `dpo` and `director` see the whole school and the rights requests; a
    /// `teacher` sees the purposes' status for their classes.
    #[arg(long, value_parser = parse_role)]
    role: StaffRole,
    /// A teacher's class (repeat for each).
    #[arg(long = "class")]
    classes: Vec<String>,
    /// Their id; by default a new random one.
    #[arg(long)]
    person: Option<String>,
    /// Days the link stays usable.
    #[arg(long, default_value_t = 14)]
    valid_days: u32,
    /// The console's address, e.g. https://school.example/console/.
    #[arg(long, default_value = "http://127.0.0.1:8080/console/")]
    base_url: String,
    /// The root key file (default: DATA/school.key).
    #[arg(long)]
    root_key: Option<PathBuf>,
}

fn parse_role(text: &str) -> Result<StaffRole, String> {
    match text {
        "dpo" => Ok(StaffRole::Dpo),
        "director" => Ok(StaffRole::Director),
        "teacher" => Ok(StaffRole::Teacher),
        other => Err(format!("{other:?} is not a staff role: dpo, director or teacher")),
    }
}

/// Signs the staff invitation; prints its link on standard output and what it grants on
/// standard error.
pub fn invite(data: &Path, args: InviteArgs) -> Result<()> {
    let now = now()?;
    let root = root_key(data, args.root_key)?;
    let person = match args.person {
        Some(person) => person,
        None => {
            let mut bytes = [0u8; 6];
            rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
            format!("staff-{}", hex::encode(bytes))
        }
    };
    let person = PersonId::try_from(person.as_str()).map_err(|e| anyhow::anyhow!("--person: {e}"))?;
    let expires = days_after(now, args.valid_days)?;
    let mut archive = Archive::open(data)?;
    let invitation =
        archive.invite_staff(&root, person, &args.name, args.role, args.classes, expires, now, &mut OsRng)?;
    println!("{}", link(&args.base_url, invitation.bytes()));
    eprintln!(
        "Invited {} ({}) as {}; the link works once, until {expires}. Send it to them only.",
        invitation.body().display_name,
        invitation.body().person,
        invitation.body().role.name()
    );
    Ok(())
}

/// The link that enrols a staff member's browser: the console with the invitation in the
/// fragment, which browsers never send to a server.
fn link(base_url: &str, invitation: &[u8]) -> String {
    format!("{base_url}#staff-invitation={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(invitation))
}

/// Everyone invited, as a table, with where their access stands now.
pub fn list(data: &Path) -> Result<()> {
    let now = now()?;
    let mut table = comfy_table::Table::new();
    table.set_header(["person", "name", "role", "classes", "access"]);
    for member in Archive::open(data)?.staff(now)? {
        let access = match member.status {
            StaffStatus::Invited { until } => format!("invited, link usable until {until}"),
            StaffStatus::Expired => "link expired unused".to_owned(),
            StaffStatus::Active { until } => format!("active until {until}"),
            StaffStatus::Revoked => "revoked".to_owned(),
        };
        let role = member.role.name().to_owned();
        table.add_row([member.person.to_string(), member.name, role, member.classes.join(" "), access]);
    }
    println!("{table}");
    Ok(())
}

/// Revokes every certificate and unused link of `person` at once.
pub fn revoke(data: &Path, person: &str) -> Result<()> {
    let now = now()?;
    let person = PersonId::try_from(person).map_err(|e| anyhow::anyhow!("{e}"))?;
    let ended = Archive::open(data)?.revoke_staff(&person, now)?;
    println!("Revoked {person}: {ended} certificates and unused links ended; nothing they sign is accepted now.");
    Ok(())
}
