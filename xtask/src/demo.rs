//! `cargo xtask demo`, the main job: the widget built for release, a demo school in `./demo-data`
//! (made once, reused after), its site staged with the school's key, and the verifier serving
//! both on loopback until Ctrl-C.

use super::{cargo, widget, workspace_root};
use anyhow::{bail, Context, Result};
use consent_tests::demo::{console_page, DemoSchool, ADULT, CHILD, DPO, TEACHER, TEEN};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Who each invitation is for, in the order the links are printed.
const WHO: [(&str, &str, &str); 5] = [
    (CHILD, "g1", "guardian of a child under 14 (decides alone)"),
    (TEEN, "g1", "guardian of a student of 14–17 (co-signs with the student)"),
    (TEEN, "s", "the student of 14–17 (co-signs with the guardian)"),
    (ADULT, "s", "a student of 18 or over (decides alone)"),
    (ADULT, "g1", "that adult student's guardian (sees the decision is the student's)"),
];

pub fn run(listen: SocketAddr) -> Result<()> {
    if listen.port() == 0 {
        bail!("the demo needs a fixed port: the invitation links name it");
    }
    let root = workspace_root();
    let site = widget::build_site()?;
    cargo(&["build", "--release", "-p", "verifier", "--locked"])?;
    let verifier = root.join("target/release/verifier");
    let data = root.join("demo-data");
    let consent_page = format!("http://{listen}/consent.html");
    let today = verifier::clock::now()?.date();
    let fresh = !DemoSchool::exists(&data);
    let school = DemoSchool::open_or_create(&verifier, &data, &consent_page, today)?;
    let staged = root.join("target/demo-site");
    if staged.exists() {
        std::fs::remove_dir_all(&staged).with_context(|| format!("removing {}", staged.display()))?;
    }
    school.stage_site(&site, &staged)?;
    // Find a taken port now, not after the links have been printed.
    drop(TcpListener::bind(listen).with_context(|| format!("{listen} is taken: pass another with --listen"))?);

    println!();
    if fresh {
        println!("Made the demo school in demo-data/ (keys, the example form, a roster of three families).");
    } else {
        println!("Reusing the demo school in demo-data/ (delete that folder to start afresh).");
    }
    println!("The school's site: http://{listen}/   Open an invitation (each stands for one person on their");
    println!("own device, whose key stays in that browser: use another browser or profile for each):");
    for (student, role, who) in WHO {
        let person = format!("{student}-{role}");
        let name = &school.invitee(&person)?.name;
        println!("  {person} ({name}), {who}:\n    {}", school.link(&consent_page, &person)?);
    }
    let console = console_page(&consent_page);
    println!();
    println!("The staff console: open a link once, in the browser that member of staff will use:");
    println!("  {} (data protection officer, the whole school):\n    {}", DPO.1, school.staff_link(&console, DPO.0)?);
    println!(
        "  {} (teacher of {}, that class only):\n    {}",
        TEACHER.1,
        TEACHER.2,
        school.staff_link(&console, TEACHER.0)?
    );
    let letters = school.letters();
    println!();
    if letters.exists() {
        println!("Printed letters for families who read paper (one A4 page each, with the QR code of a short link;");
        println!("they hold the codes, like the links): file://{}", letters.display());
    } else {
        println!("This demo school predates printed letters: delete demo-data/ to make one that has them.");
    }
    if fresh {
        println!();
        println!(
            "Nobody has answered yet, so the school reminded everyone (`verifier remind`, no SMTP server: a list):"
        );
        print!("{}", school.remind(&verifier, &consent_page)?);
    }
    let date = today.format("%Y-%m-%d");
    println!();
    println!("Then, in another terminal in {}, ask what the school would ask:", root.display());
    println!("  target/release/verifier audit --purpose photos-published --at {date}");
    println!("  target/release/verifier audit --purpose recordings-events --at {date} --format html --out report.html");
    println!("  target/release/verifier requests                  # rights requests and their deadlines");
    println!("  target/release/verifier decide <REQUEST> --grant --reason \"…\"");
    println!("  target/release/verifier export --student {TEEN} --out bundle.json");
    println!("  target/release/verifier verify --school-key demo-data/school.pub bundle.json");
    println!("  target/release/verifier check                     # every signature, the Merkle log, the checkpoints");
    println!("  target/release/verifier remind --base-url {consent_page}   # who has not answered: reminders.csv");
    println!(
        "  target/release/verifier staff list                # who may use the console, and revoke with `staff revoke`"
    );
    println!(
        "(`verifier` reads ./demo-data by default.) Ctrl-C stops the service; running this again reuses the data."
    );
    println!();

    // The service takes over this process, so that Ctrl-C reaches it alone and it stops cleanly.
    let error = Command::new(&verifier)
        .arg("--data")
        .arg(&data)
        .arg("serve")
        .arg("--listen")
        .arg(listen.to_string())
        .arg("--www")
        .arg(&staged)
        // The console's "Send reminders" links to the consent page.
        .arg("--consent-page")
        .arg(&consent_page)
        .exec();
    Err(error).with_context(|| format!("starting {}", verifier.display()))
}
