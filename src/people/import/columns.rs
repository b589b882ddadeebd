//! Which field each column of an imported file fills: guessed from the header (case, spaces and
//! punctuation ignored, with the names LinkedIn and the usual ATS exports use), editable on the
//! preview.

/// A contact field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    FirstName,
    LastName,
    Company,
    Title,
    Email,
    Phone,
    Source,
    TalkingPoints,
    /// Kept as a line `Header: value` in the talking points (e.g. `Last Contacted`); never a touch.
    Note,
    Temperature,
    Ignore,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Name,
        Field::FirstName,
        Field::LastName,
        Field::Company,
        Field::Title,
        Field::Email,
        Field::Phone,
        Field::Source,
        Field::TalkingPoints,
        Field::Note,
        Field::Temperature,
        Field::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Company => "company",
            Field::Title => "title",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Source => "source",
            Field::TalkingPoints => "talking_points",
            Field::Note => "note",
            Field::Temperature => "temperature",
            Field::Ignore => "ignore",
        }
    }

    /// The words the preview shows.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::Company => "Company",
            Field::Title => "Title",
            Field::Email => "Email",
            Field::Phone => "Phone",
            Field::Source => "Source",
            Field::TalkingPoints => "Talking points",
            Field::Note => "A note in the talking points",
            Field::Temperature => "Temperature (decision makers)",
            Field::Ignore => "Leave out",
        }
    }

    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == code)
    }

    /// The field a header names, or `Ignore`.
    pub fn guess(header: &str) -> Field {
        let key: String = header
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "name" | "fullname" | "contactname" | "candidatename" | "displayname" => Field::Name,
            "firstname" | "givenname" | "first" | "forename" => Field::FirstName,
            "lastname" | "surname" | "familyname" | "last" => Field::LastName,
            "company" | "companyname" | "currentemployer" | "employer" | "organization"
            | "organisation" | "currentcompany" | "account" | "accountname" => Field::Company,
            "title" | "position" | "jobtitle" | "currenttitle" | "currentposition" | "role"
            | "headline" => Field::Title,
            "email" | "emailaddress" | "email1" | "workemail" | "mail" | "emailaddress1" => {
                Field::Email
            }
            "phone" | "phonenumber" | "mobile" | "mobilephone" | "mobilenumber" | "cell"
            | "cellphone" | "telephone" | "tel" | "workphone" | "phone1" => Field::Phone,
            "source" | "leadsource" => Field::Source,
            "talkingpoints" | "notes" | "note" | "comments" | "comment" => Field::TalkingPoints,
            "lastcontacted" | "lastcontact" | "lastcontactdate" | "connectedon"
            | "lastactivity" | "dateadded" | "lastcontacteddate" => Field::Note,
            "temperature" => Field::Temperature,
            _ => Field::Ignore,
        }
    }
}

/// The guessed field of each column; a field is filled by one column only (the first naming it),
/// except notes, which every such column adds to.
pub fn guess_all(headers: &[String]) -> Vec<Field> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let f = Field::guess(h);
            if matches!(f, Field::Note | Field::Ignore) {
                return f;
            }
            if taken.contains(&f) {
                Field::Ignore
            } else {
                taken.push(f);
                f
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkedin_and_ats_headers_are_recognised() {
        let linkedin: Vec<String> = [
            "First Name",
            "Last Name",
            "URL",
            "Email Address",
            "Company",
            "Position",
            "Connected On",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            guess_all(&linkedin),
            [
                Field::FirstName,
                Field::LastName,
                Field::Ignore,
                Field::Email,
                Field::Company,
                Field::Title,
                Field::Note
            ]
        );
        let ats: Vec<String> = ["Full Name", "Mobile", "Current Employer", "E-mail", "Phone"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            guess_all(&ats),
            [
                Field::Name,
                Field::Phone,
                Field::Company,
                Field::Email,
                Field::Ignore
            ]
        );
        for f in Field::ALL {
            assert_eq!(Field::parse(f.as_str()), Some(f));
        }
    }
}
