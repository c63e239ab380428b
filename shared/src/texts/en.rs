//! English texts, and the fallback for any text another catalogue lacks.
//!
//! Short, plain sentences for parents reading on a phone; "the student" rather than "your
//! child", because students of 14 and over read and sign the same screens.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    // Frame of the widget
    (Key::WidgetTitle, "Consent form"),
    (Key::StudentName, "Student: {student}, class {class}, born {born}"),
    (Key::MonthNames, "January February March April May June July August September October November December"),
    (Key::DateWritten, "{day} {month} {year}"),
    (Key::LanguageLabel, "Language"),
    (Key::Loading, "Loading…"),
    (Key::Back, "Back"),
    (Key::TryAgain, "Try again"),
    (Key::NavConsents, "Consents"),
    (Key::NavHistory, "History"),
    (Key::NavRequests, "Your rights"),
    (Key::NavReceipts, "Receipts and key"),
    (Key::RoleGuardian, "Parent or guardian"),
    (Key::RoleStudent, "Student"),
    (Key::RoleYou, "You"),
    (Key::CosignWaitingForYou, "Waiting for your decision"),
    (Key::HistoryRefused, "Consent not given"),
    // Information shown before any checkbox
    (
        Key::InfoIntro,
        "Please read this before you decide. It explains who uses the student's data, why, for how long, and what your rights are.",
    ),
    (Key::FirstLayerController, "Responsible for the student's data: {school}"),
    (Key::FirstLayerDpo, "Data protection officer: {name}"),
    (Key::FirstLayerAuthority, "Complaints: {authority}"),
    (Key::MoreInformation, "All contacts and your rights"),
    (Key::ControllerHeading, "Who is responsible for the data"),
    (
        Key::ControllerIntro,
        "{school} decides how the student's data is used and is responsible for it (the data controller).",
    ),
    (Key::ContactAddress, "Address: {address}"),
    (Key::ContactEmail, "Email: {email}"),
    (Key::ContactPhone, "Phone: {phone}"),
    (Key::DpoHeading, "Data protection officer"),
    (
        Key::DpoIntro,
        "You can contact the data protection officer with any question about the student's data.",
    ),
    (Key::PurposesHeading, "What we ask your consent for"),
    (Key::PurposeRecipients, "Who receives the data: {recipients}"),
    (Key::PurposeRetention, "How long it is kept: {retention}"),
    (Key::PurposeOptional, "Optional"),
    (Key::PurposeNotTranslated, "The school has not translated all of this purpose into your language; those parts are shown in English."),
    (
        Key::EveryPurposeOptional,
        "Every purpose is optional. Saying no has no consequence for the student's schooling.",
    ),
    (
        Key::NothingPreTicked,
        "Nothing is chosen in advance. Answer yes or no only where you want to decide now; what you leave unanswered stays as it is.",
    ),
    (
        Key::NothingSentUntilSigned,
        "Nothing is sent until you press “Sign and send”.",
    ),
    // Rights
    (Key::RightsHeading, "Your rights"),
    (
        Key::RightsIntro,
        "You can use these rights at any time. The school must answer each request by a deadline.",
    ),
    (
        Key::RightWithdrawExplained,
        "You can withdraw any consent at any time, as easily as you gave it.",
    ),
    (
        Key::WithdrawalNotRetroactive,
        "Withdrawing stops the use of the data from then on. It does not make earlier use, made with your consent, unlawful.",
    ),
    (Key::RightAccess, "Information and access"),
    (
        Key::RightAccessExplained,
        "You can ask what data the school holds about the student and why, and get a copy of it.",
    ),
    (Key::RightRectification, "Correction"),
    (
        Key::RightRectificationExplained,
        "You can ask the school to correct data that is wrong or incomplete.",
    ),
    (Key::RightErasure, "Erasure"),
    (
        Key::RightErasureExplained,
        "You can ask the school to delete data it no longer needs or has no right to keep.",
    ),
    (Key::RightRestriction, "Restriction"),
    (
        Key::RightRestrictionExplained,
        "You can ask the school to keep data but stop using it for a while, for example while a correction is checked.",
    ),
    (Key::RightObjection, "Objection"),
    (
        Key::RightObjectionExplained,
        "You can object when the school uses data for its own tasks or interests, and it must then stop unless it has strong legal grounds.",
    ),
    (Key::AuthorityHeading, "Supervisory authority"),
    (
        Key::AuthorityIntro,
        "If you think the student's data is being misused, you can complain to {authority}.",
    ),
    // The decision
    (Key::AnswerYes, "Yes, I agree"),
    (Key::AnswerNo, "No, I do not agree"),
    (Key::DecisionLine, "{who}: {decision}"),
    (Key::WillSign, "You will sign: {decisions}."),
    (Key::NothingToSign, "Answer yes or no for at least one purpose to sign."),
    (
        Key::SigningAsGuardian,
        "You are signing as a parent or legal guardian.",
    ),
    (
        Key::SigningAsStudent,
        "You are signing as the student, in your own name.",
    ),
    (
        Key::CosignExplained,
        "At the student's age, a consent takes effect only when both the student and a parent or guardian agree. If either of them withdraws it, it ends.",
    ),
    (Key::SignAndSend, "Sign and send"),
    // Progress of signing and sending
    (Key::StatusVerifyingForm, "Checking the school's form…"),
    (Key::StatusGeneratingKey, "Creating your key on this device…"),
    (Key::StatusEnrolling, "Registering your key with the school…"),
    (Key::StatusSigning, "Signing…"),
    (Key::StatusSending, "Sending…"),
    (
        Key::StatusAcknowledged,
        "Received. The school has confirmed it with its signature.",
    ),
    (Key::AcknowledgementHeading, "The school's confirmation"),
    (
        Key::AcknowledgementDetails,
        "The school recorded your decision ({date}); keep this receipt.",
    ),
    // Errors
    (
        Key::ErrorInvitationExpired,
        "This invitation has expired. Please ask the school for a new link.",
    ),
    (
        Key::ErrorInvitationUsed,
        "This link was already used on another device. To continue here, restore the key backup you saved on that device, or ask the school for a new link.",
    ),
    (
        Key::ErrorFormSignature,
        "The form's signature does not match the school's key. Please do not sign it, and tell the school.",
    ),
    (
        Key::ErrorNoInvitation,
        "Please open this page from the link the school sent you.",
    ),
    (
        Key::ErrorNetwork,
        "No connection. Please check your internet connection and try again.",
    ),
    (
        Key::ErrorService,
        "The school's service is not working right now. Please try again later.",
    ),
    (
        Key::ErrorAcknowledgementInvalid,
        "The school's confirmation is not valid. Please keep your receipt and contact the school.",
    ),
    (
        Key::ErrorLogInconsistent,
        "The school's record is behind what it confirmed to this device, or does not match it. Keep your receipts (Receipts and key): they prove what the school confirmed. You can still sign and withdraw.",
    ),
    (
        Key::ErrorKeyFileInvalid,
        "This file is not a valid key backup. Nothing was changed.",
    ),
    // Offline queue
    (Key::QueueNotSent, "Not sent yet — will retry"),
    (Key::QueueSent, "Sent"),
    (
        Key::QueueOfflineNotice,
        "No internet connection. Your decision is kept on this device and will be sent when you are back online.",
    ),
    // State of each purpose, and withdrawal
    (Key::StateGiven, "Given on {date}"),
    (Key::StateNotGiven, "Not given"),
    (Key::StateWithdrawn, "Withdrawn on {date}"),
    (Key::Withdraw, "Withdraw consent"),
    (Key::WithdrawDone, "Consent withdrawn: {purpose}."),
    (Key::CosignWaitingForStudent, "Waiting for the student"),
    (
        Key::CosignWaitingForGuardian,
        "Waiting for your parent or guardian",
    ),
    (Key::CosignInEffect, "In effect"),
    (
        Key::CosignPassedToStudent,
        "The decision has passed to the student, who is now 18",
    ),
    (Key::StudentNotDecided, "The student has not decided yet"),
    (Key::StudentRefused, "The student did not agree"),
    (
        Key::ReconfirmNeeded,
        "Please confirm this decision again: the student is older now, and who decides has changed.",
    ),
    (
        Key::FormChanged,
        "The school has changed this form. Please read it again and make a new decision.",
    ),
    // History
    (Key::HistoryHeading, "History"),
    (Key::HistoryEmpty, "No decisions yet."),
    (Key::HistoryUnread, "The history could not be read from the school yet. It is shown as soon as the school answers."),
    (Key::HistoryGranted, "Consent given"),
    (Key::HistoryWithdrawn, "Consent withdrawn"),
    (Key::HistorySignedBy, "Signed by {name} on {date}"),
    (Key::HistoryAcknowledged, "Confirmed by the school on {date}"),
    (Key::HistoryOnPaper, "On paper: signed by {name} on {date}, recorded by the school's {staff}"),
    (Key::PaperRecorderDpo, "data protection officer"),
    (Key::PaperRecorderDirector, "director"),
    (Key::PaperRecorderStaff, "staff"),
    (Key::OnPaper, "on a paper form"),
    (
        Key::HistoryKept,
        "Withdrawing does not erase the history: earlier decisions stay listed here.",
    ),
    // Receipts
    (Key::ReceiptsHeading, "Receipts"),
    (
        Key::ReceiptExplained,
        "A receipt proves what was decided, by whom and when. Anyone with the school's public key can check it.",
    ),
    (Key::DownloadReceiptJson, "Download receipt (JSON)"),
    (Key::PrintReceipt, "Printable receipt"),
    (Key::ReceiptTitle, "Consent receipt"),
    (Key::ReceiptFormVersion, "Form version: {hash}"),
    // Key backup
    (Key::KeyHeading, "Your key"),
    (
        Key::KeyExplained,
        "Your key is kept only on this device and proves that your decisions come from you. Save a backup to use another device or browser.",
    ),
    (Key::ExportKey, "Save key backup"),
    (Key::ImportKey, "Restore key from backup"),
    (
        Key::KeyBackupWarning,
        "Keep the backup file private: anyone who has it can sign in your name.",
    ),
    (Key::KeyImported, "Key restored."),
    // Rights requests
    (Key::RequestsHeading, "Rights requests"),
    (Key::NewRequest, "Make a request"),
    (Key::RequestTypeLabel, "What would you like to ask for?"),
    (Key::RequestDetailsLabel, "Details (optional)"),
    (Key::SendRequest, "Sign and send request"),
    (Key::RequestSentOn, "Sent on {date}"),
    (Key::RequestDeadline, "Deadline: {date}"),
    (
        Key::RequestDeadlineExplained,
        "The school must answer by {date}. It may extend this only for complex requests, and must tell you why.",
    ),
    (Key::RequestStatusReceived, "Received by the school"),
    (Key::RequestStatusInProgress, "Being handled"),
    (Key::RequestStatusDecided, "Decided"),
    (
        Key::RequestDecisionGranted,
        "The school has granted your request.",
    ),
    (
        Key::RequestDecisionRefused,
        "The school has refused your request.",
    ),
    (Key::RequestDecisionReason, "Reason: {reason}"),
    (
        Key::RequestComplaint,
        "If you disagree with the decision, you can complain to the supervisory authority.",
    ),
    // Errors about the link and the device
    (
        Key::ErrorLinkDamaged,
        "This link is incomplete or was changed on the way. Open it again from the school's message, copying all of it, or ask the school for a new link.",
    ),
    (
        Key::ErrorLinkNotValid,
        "This link was not issued by this school, or it was changed. Nothing is shown. Please ask the school for a new link.",
    ),
    (
        Key::ErrorInvitationReplaced,
        "The school has sent you a newer link, which replaces this one. Please use the newest link.",
    ),
    (
        Key::ErrorCodeRefused,
        "The code from this letter no longer opens a form: it was already used, replaced by a newer letter, or has expired. Please ask the school office for a new letter.",
    ),
    (
        Key::ErrorDeviceDamaged,
        "The data this browser kept for you is damaged and cannot be restored from the school's record. Restore your key backup, or ask the school for a new link.",
    ),
    (
        Key::ErrorStorage,
        "This browser cannot keep data (private browsing, or storage is full). Nothing can be signed here; please try another browser.",
    ),
    // Repairs, and decisions set aside
    (
        Key::DeviceRepaired,
        "Some data kept in this browser was damaged. It has been restored from the school's verified record.",
    ),
    (
        Key::ChangedElsewhere,
        "This was already changed on another device or in another tab. Here is the current state.",
    ),
    (
        Key::SetAsideLinkClosed,
        "What you chose was not sent, because this link cannot be used on this device.",
    ),
    (
        Key::SetAsideRefused,
        "The school's service did not accept what you chose. Here is the current state.",
    ),
    (Key::SetAsideList, "What you chose, not signed:"),
    (Key::SignAgain, "Sign these again"),
    (Key::Discard, "Discard"),
];
