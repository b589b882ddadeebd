//! Word lists for believable names, titles and notes in the benchmark dataset.

pub const FIRST_NAMES: &[&str] = &[
    "Ada", "Alex", "Amara", "Ana", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Dana", "David",
    "Diego", "Elena", "Emma", "Eric", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan",
    "Jade", "James", "Jonas", "Julia", "Kai", "Karen", "Laura", "Leo", "Lina", "Luis", "Maya",
    "Mia", "Mohammed", "Nadia", "Nina", "Noah", "Olga", "Omar", "Paul", "Priya", "Quinn", "Rafael",
    "Rita", "Robert", "Rosa", "Sam", "Sara", "Sofia", "Tariq", "Tom", "Uma", "Victor", "Wei",
    "Xavier", "Yara", "Yusuf", "Zoe", "Aiko", "Bruno", "Camille", "Dmitri", "Erin",
];

pub const LAST_NAMES: &[&str] = &[
    "Adams", "Ahmed", "Alvarez", "Baker", "Becker", "Brown", "Chen", "Clark", "Costa", "Davis",
    "Dubois", "Evans", "Fischer", "Garcia", "Green", "Gupta", "Hall", "Hansen", "Ito", "Jones",
    "Kim", "Klein", "Kowalski", "Lee", "Lopez", "Martin", "Meyer", "Miller", "Moreau", "Murphy",
    "Nguyen", "Novak", "O'Brien", "Olsen", "Patel", "Perez", "Rossi", "Santos", "Schmidt", "Silva",
    "Singh", "Smith", "Sousa", "Tanaka", "Taylor", "Torres", "Wagner", "Walker", "Wang", "Weber",
    "White", "Wilson", "Wong", "Young", "Zhang", "Ziegler", "Berg", "Carter", "Duarte", "Eriksen",
    "Ferrari", "Haddad", "Ibrahim", "Jensen",
];

pub const DM_TITLES: &[&str] = &[
    "Hiring Manager",
    "Head of Engineering",
    "VP Engineering",
    "CTO",
    "HR Director",
    "Talent Acquisition Lead",
    "Director of Operations",
    "Head of Finance",
    "Plant Manager",
    "IT Director",
    "Head of Sales",
    "COO",
];

pub const CANDIDATE_TITLES: &[&str] = &[
    "Senior Software Engineer",
    "Data Engineer",
    "Controller",
    "Accountant",
    "Project Manager",
    "DevOps Engineer",
    "Sales Manager",
    "Product Manager",
    "QA Engineer",
    "Mechanical Engineer",
    "Nurse Manager",
    "Financial Analyst",
    "Supply Chain Lead",
    "Frontend Developer",
];

pub const COMPANY_FIRST: &[&str] = &[
    "Apex", "Blue", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iron", "Juniper",
    "Keystone", "Lumen", "Maple", "North", "Orion", "Pioneer", "Quarry", "River", "Summit",
    "Titan", "Union", "Vertex", "Willow", "Zenith",
];

pub const COMPANY_SECOND: &[&str] = &[
    "Logistics",
    "Health",
    "Software",
    "Manufacturing",
    "Capital",
    "Foods",
    "Energy",
    "Systems",
    "Labs",
    "Retail",
    "Engineering",
    "Media",
    "Analytics",
    "Robotics",
    "Insurance",
    "Pharma",
];

pub const SOURCES: &[&str] = &[
    "LinkedIn search",
    "Referral",
    "Job board",
    "Conference",
    "Cold list",
    "Inbound website",
    "Former candidate",
    "Client referral",
    "",
];

pub const TALKING_POINTS: &[&str] = &[
    "Growing the data team next quarter; cares about time to hire.",
    "Lost two seniors to a competitor; worried about retention.",
    "Prefers email first, calls after 4pm.",
    "Opening a second site; will need operations leads.",
    "Budget freeze until the new fiscal year.",
    "Likes short shortlists: three strong profiles, no more.",
    "Wants people who can relocate.",
    "Interested in market salary data.",
    "Open to remote profiles for senior roles.",
    "",
    "",
];

pub const NEWS: &[(&str, &str)] = &[
    ("new_leader", "New CTO announced"),
    ("move", "Moving headquarters across town"),
    ("funding", "Closed a Series B"),
    ("layoffs", "Announced a 10% reduction"),
    ("acquisition", "Acquired a competitor"),
    ("other", "Won a large public contract"),
];

pub const TIME_ZONES: &[chrono_tz::Tz] = &[
    chrono_tz::America::New_York,
    chrono_tz::America::Chicago,
    chrono_tz::America::Denver,
    chrono_tz::America::Los_Angeles,
    chrono_tz::Europe::London,
    chrono_tz::Europe::Berlin,
];
