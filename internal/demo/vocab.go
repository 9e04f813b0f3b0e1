package demo

// The demo's own vocabulary. Every title, abstract and name is composed from
// these lists; nothing is taken from a real catalog.

// hostCompany is the invented cloud provider that runs the conference.
const hostCompany = "Skyforge Cloud"

// topic is a catalog topic with its code prefix and title subjects.
type topic struct {
	name     string
	prefix   string
	weight   int    // relative share of contents
	phrase   string // lowercase, for "the fundamentals of ..."
	subjects []string
}

var topics = []topic{
	{"Architecture", "ARC", 10, "software architecture", []string{
		"multi-Region event-driven architectures", "cell-based architectures", "resilient microservices",
		"multi-tenant SaaS platforms", "active-active applications", "event sourcing and CQRS",
		"API-first platforms", "asynchronous messaging systems", "globally distributed applications",
		"disaster recovery strategies", "backpressure and load shedding", "idempotent APIs",
		"domain-driven service boundaries", "cost-aware architectures", "static stability",
	}},
	{"Databases", "DAT", 8, "databases", []string{
		"relational databases", "distributed SQL databases", "key-value stores", "graph databases",
		"time-series data", "in-memory caches", "database migrations", "zero-downtime schema changes",
		"vector search in databases", "document databases", "read replicas and sharding",
		"change data capture pipelines", "PostgreSQL performance tuning", "database connection pooling",
		"serverless databases",
	}},
	{"Serverless Compute", "SVS", 8, "serverless computing", []string{
		"serverless functions", "event-driven workflows", "function cold starts", "serverless APIs",
		"workflow orchestration", "serverless containers", "scheduled jobs without servers",
		"fan-out processing", "event buses", "stream processing with functions",
		"serverless web applications", "durable executions", "function concurrency controls",
		"serverless observability", "queue-based load leveling",
	}},
	{"Storage", "STG", 6, "cloud storage", []string{
		"object storage", "data lifecycle policies", "block storage performance", "shared file systems",
		"backup and restore", "archival storage", "storage for machine learning",
		"cross-Region data replication", "immutable backups", "storage cost optimization",
		"high-performance file systems", "petabyte-scale data migrations", "object storage access patterns",
		"persistent storage for containers", "ransomware-resilient storage",
	}},
	{"Cloud Operations", "COP", 8, "cloud operations", []string{
		"infrastructure as code", "observability pipelines", "incident response runbooks",
		"multi-account governance", "cost allocation and tagging", "service level objectives",
		"automated remediation", "configuration drift detection", "centralized logging",
		"chaos engineering", "patch management", "operational dashboards", "deployment safety",
		"platform engineering", "compliance as code",
	}},
	{"Business Applications", "BIZ", 5, "business applications", []string{
		"contact center modernization", "customer engagement platforms", "workplace collaboration tools",
		"supply chain visibility", "document processing workflows", "e-commerce personalization",
		"ERP modernization", "low-code internal tools", "digital customer onboarding",
		"field service applications", "marketing analytics", "B2B data exchange",
		"billing and payments systems", "employee productivity assistants", "customer support automation",
	}},
	{"AI/ML", "AIM", 12, "machine learning", []string{
		"generative AI applications", "retrieval-augmented generation", "foundation model fine-tuning",
		"AI agents", "prompt engineering", "responsible AI guardrails", "ML feature stores",
		"model evaluation pipelines", "large language model inference", "computer vision pipelines",
		"MLOps workflows", "embedding models", "multimodal assistants", "distributed model training",
		"AI-powered coding assistants",
	}},
	{"Security", "SEC", 9, "cloud security", []string{
		"zero trust access", "identity federation", "least-privilege permissions", "secrets management",
		"threat detection", "data encryption strategies", "software supply chain security",
		"security incident response", "container security", "web application firewalls",
		"DDoS resilience", "data perimeters", "vulnerability management", "security posture management",
		"post-quantum cryptography",
	}},
	{"Networking", "NET", 6, "networking", []string{
		"hybrid network connectivity", "multi-VPC architectures", "global content delivery",
		"DNS resilience", "private service connectivity", "IPv6 adoption", "network segmentation",
		"transit routing", "load balancing strategies", "edge computing networks",
		"network observability", "private 5G networks", "service meshes", "egress cost optimization",
		"low-latency networks",
	}},
	{"Analytics", "ANT", 8, "data analytics", []string{
		"data lakes", "lakehouse architectures", "streaming analytics", "data governance",
		"real-time dashboards", "data mesh", "ETL pipelines", "open table formats",
		"interactive SQL analytics", "log analytics", "data clean rooms", "data quality checks",
		"data warehouses", "business intelligence", "zero-ETL integrations",
	}},
	{"Developer Tools", "DEV", 6, "developer tooling", []string{
		"developer inner loops", "CI/CD pipelines", "internal developer portals", "SDK design",
		"integration testing in the cloud", "local emulation of cloud services", "feature flags",
		"API versioning", "monorepo builds", "infrastructure testing", "developer experience metrics",
		"automated code review", "dependency management", "build caching", "ephemeral preview environments",
	}},
	{"Migration & Modernization", "MAM", 4, "application migration", []string{
		"mainframe modernization", "data center exits", "lift-and-shift migrations",
		"monolith decomposition", ".NET modernization", "Java application upgrades",
		"virtual machine migrations", "database modernization", "legacy batch jobs", "migration factories",
		"application portfolio assessments", "ERP migrations", "strangler-fig refactoring",
		"migration cost modeling", "large-scale rehosting",
	}},
	{"Containers", "CON", 5, "containers", []string{
		"Kubernetes clusters", "container orchestration", "cluster autoscaling",
		"container image pipelines", "multi-tenant Kubernetes", "GitOps deployments",
		"service discovery for containers", "stateful workloads on Kubernetes", "container networking",
		"Kubernetes upgrades", "batch workloads on containers", "container cost optimization",
		"sidecar-less service meshes", "Kubernetes security", "container observability",
	}},
	{"Sustainability", "SUS", 2, "sustainable computing", []string{
		"carbon-aware workloads", "energy-efficient compute", "sustainable data storage",
		"emissions reporting", "right-sizing for sustainability", "green software engineering",
		"circular supply chains", "climate risk analytics", "sustainable AI training",
		"water usage monitoring", "efficient data transfer", "sustainability dashboards",
		"low-carbon architectures", "ESG data platforms", "smart building analytics",
	}},
}

// Title templates: {s} is the subject, {S} the subject capitalized, {c} a
// customer company presenting the session.
var (
	generalTitles = []string{
		"Deep dive into {s}", "Best practices for {s}", "{S} at scale", "Designing {s}",
		"Lessons from {s} in production", "What's new in {s}", "Getting started with {s}",
		"Patterns for {s}", "Troubleshooting {s}", "{S}: From prototype to production",
		"How {c} approaches {s}", "A practical guide to {s}", "Demystifying {s}",
		"Avoiding common pitfalls in {s}", "{S} for the frugal architect", "{S} at {c}: A customer story",
	}
	chalkTitles = []string{
		"Whiteboarding {s}", "Ask the experts: {s}", "Design review: {s}",
		"{S}: Trade-offs on the whiteboard", "Choosing the right approach to {s}",
	}
	workshopTitles = []string{
		"Hands-on with {s}", "Build and operate {s}", "Lab: {s} from scratch",
		"Workshop: {s} end to end", "Get hands-on with {s}",
	}
	buildersTitles = []string{
		"Build {s} with an expert", "Builders' lab: {s}", "Prototype {s} in one hour",
	}
	codeTitles = []string{
		"Live coding {s}", "Code walkthrough: {s}", "Reading the source: {s}", "Refactoring {s} live",
	}
	lightningTitles = []string{
		"{S} in 20 minutes", "Quick wins for {s}", "Five tips for {s}", "One idea for better {s}",
	}
	gamifiedTitles = []string{
		"Team challenge: {s}", "GameDay: {s} under pressure", "Escape room: {s}",
	}
	bootcampTitles = []string{
		"Bootcamp: {s} fundamentals", "Bootcamp: mastering {s}",
	}
	innovationTitles = []string{
		"The future of {s}", "Reinventing {s}", "Where {s} goes next",
	}
	// titleQualifiers narrow a title; the empty string keeps it plain.
	titleQualifiers = []string{
		" for regulated industries", " with generative AI", " on a startup budget",
		" across multiple Regions", " for SaaS providers", " in hybrid environments",
		" for financial services", " for healthcare", " for game studios", " at the edge",
		" for the public sector", " for retail",
	}
)

// Abstract sentences.
var (
	abstractOpeners = []string{
		"This session explores {s} from first principles to production.",
		"Learn how teams use {s} to ship faster without giving up reliability.",
		"Join us for a practical look at {s} and the trade-offs that come with it.",
		"{C} shares how they adopted {s} across hundreds of services.",
		"Many organizations struggle with {s} once they grow beyond a single team.",
		"Getting {s} right looks simple on a slide and gets hard in production.",
		"Discover what changes for {s} at millions of requests a day.",
	}
	abstractMiddles = []string{
		"We walk through reference architectures, common pitfalls and the metrics that matter.",
		"See where managed services help, where open-source tools fit, and how to combine them.",
		"Expect real numbers: latency, cost and the operational effort involved.",
		"The speakers compare three approaches and explain when to choose each.",
		"Along the way, we cover testing, observability and rollback strategies.",
		"You see a live demo built from a real customer scenario.",
		"We show how cost becomes a requirement you design for, not a surprise on the bill.",
	}
	abstractClosers = []string{
		"You leave with a checklist you can apply to your own workloads.",
		"Sample code is shared after the session.",
		"Come ready to rethink a design decision or two.",
		"Leave with a plan for your first thirty days.",
	}
	levelNotes = map[int]string{
		100: "No prior experience is required.",
		200: "Some familiarity with cloud basics is helpful.",
		300: "Attendees should be comfortable with the fundamentals of {t}.",
		400: "This session assumes hands-on experience with {s}.",
		500: "Expect an expert-level discussion of internals and edge cases.",
	}
)

// Speaker names and the companies of customer speakers.
var (
	firstNames = []string{
		"Aisha", "Akira", "Alejandro", "Amara", "Ana", "Anders", "Arjun", "Beatriz", "Ben", "Camille",
		"Carlos", "Chen", "Chloe", "Dario", "Deepa", "Diego", "Elena", "Emeka", "Emily", "Fatima",
		"Felix", "Grace", "Hana", "Hiroshi", "Ibrahim", "Ingrid", "Isabel", "Jamal", "Jia", "Jonas",
		"Julia", "Kai", "Kavya", "Kenji", "Laila", "Lars", "Leila", "Lucas", "Maya", "Mei",
		"Mateo", "Nadia", "Naveen", "Nia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Rania",
		"Ravi", "Rosa", "Samir", "Sara", "Sofia", "Tariq", "Tomas", "Uma", "Valentina", "Wei",
		"Yara", "Yusuf", "Zara", "Zoe", "Marcus", "Hugo", "Ines", "Oskar", "Leah", "Daniel",
	}
	lastNames = []string{
		"Abara", "Alvarez", "Andersen", "Bauer", "Bianchi", "Brennan", "Castillo", "Chowdhury", "Costa", "Dubois",
		"Eriksen", "Fernandes", "Fischer", "Garcia", "Gupta", "Haddad", "Hansen", "Hoang", "Ito", "Jansen",
		"Kapoor", "Kim", "Kowalski", "Larsen", "Lindqvist", "Lopez", "Mahmoud", "Martins", "Mensah", "Moreau",
		"Nakamura", "Novak", "Nwosu", "Okafor", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Ramos",
		"Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Sokolov", "Suzuki", "Tanaka", "Torres",
		"Varga", "Vasquez", "Wagner", "Walsh", "Wang", "Weber", "Yamamoto", "Yilmaz", "Zhang", "Zielinski",
		"Achebe", "Bergstrom", "Delgado", "Ferreira", "Goldberg", "Horvat", "Iyer", "Jovanovic", "Keller", "Moyo",
	}
	companyStems = []string{
		"Bluefin", "Copperleaf", "Harborline", "Granite Peak", "Juniper", "Lumen", "Maplewood", "Northstar",
		"Orchid", "Pinnacle", "Quarry", "Redwood", "Saffron", "Tidal", "Vantage", "Willow", "Zephyr",
		"Asterisk", "Beacon", "Cinder", "Driftwood", "Evergreen", "Foxglove", "Halcyon", "Ironbridge",
	}
	companyKinds = []string{
		"Labs", "Health", "Financial", "Logistics", "Media", "Systems", "Retail", "Energy", "Games",
		"Insurance", "Bank", "Motors", "Airlines", "Robotics", "Foods", "Telecom", "Analytics", "Pharma",
	}
)
