/** Vocabulary of the synthetic org: countries (names, phone plans), domains, queues, CRM subjects. */

export interface Country {
  code: string;
  /** Share of the customer base. */
  weight: number;
  /** E.164 prefix (country code and a mobile/geographic lead-in) and how many digits follow. */
  phonePrefixes: readonly string[];
  phoneDigits: number;
  firstNames: readonly string[];
  lastNames: readonly string[];
}

export const COUNTRIES: readonly Country[] = [
  {
    code: 'US', weight: 40, phonePrefixes: ['+1212', '+1312', '+1415', '+1512', '+1617', '+1702', '+1808', '+1919'], phoneDigits: 7,
    firstNames: ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'Maria', 'Daniel', 'Ashley', 'Kevin', 'Aisha', 'Tyrone', 'Emily', 'Chen', 'Priya', 'Jose'],
    lastNames: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Nguyen', 'Patel', 'Kim', 'Washington', "O'Brien", 'Lee'],
  },
  {
    code: 'GB', weight: 20, phonePrefixes: ['+447700', '+447911', '+447400', '+44207', '+44161'], phoneDigits: 6,
    firstNames: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Noah', 'Olivia', 'Mohammed', 'Siobhan', 'Rhys', 'Freya', 'Callum'],
    lastNames: ['Taylor', 'Evans', 'Thomas', 'Roberts', 'Walker', 'Wright', 'Hughes', 'Edwards', 'Green', 'Hall', 'Khan', 'Murphy', 'Campbell', 'Jones-Price', 'Singh'],
  },
  {
    code: 'DE', weight: 15, phonePrefixes: ['+49151', '+49160', '+49170', '+4930', '+4989'], phoneDigits: 8,
    firstNames: ['Lukas', 'Anna', 'Leon', 'Lena', 'Finn', 'Marie', 'Jonas', 'Sophie', 'Elias', 'Jürgen', 'Zeynep', 'Björn'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Yılmaz', 'Köhler'],
  },
  {
    code: 'FR', weight: 10, phonePrefixes: ['+336', '+337', '+331'], phoneDigits: 8,
    firstNames: ['Gabriel', 'Louise', 'Raphaël', 'Emma', 'Léo', 'Jade', 'Hugo', 'Chloé', 'Amélie', 'Karim'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Lefèvre', 'Benali'],
  },
  {
    code: 'ES', weight: 8, phonePrefixes: ['+346', '+347', '+349'], phoneDigits: 8,
    firstNames: ['Hugo', 'Lucía', 'Martín', 'Sofía', 'Pablo', 'María José', 'Álvaro', 'Paula', 'Iñigo', 'Nerea'],
    lastNames: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez Ruiz', 'Núñez'],
  },
  {
    code: 'BR', weight: 7, phonePrefixes: ['+55119', '+55219', '+55319'], phoneDigits: 8,
    firstNames: ['Miguel', 'Helena', 'Arthur', 'Alice', 'Heitor', 'Laura', 'João', 'Valentina', 'Conceição', 'Thiago'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gonçalves'],
  },
];

/** Reserved or fictional domains only (RFC 2606 / RFC 6761): no real mailbox is ever named. */
export const PERSONAL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example', 'post.test'] as const;
export const WORK_DOMAINS = ['acme.example', 'globex.example', 'initech.test', 'umbrella.example', 'hooli.test'] as const;

export const QUEUES = {
  voice: ['Billing', 'Technical Support', 'Sales', 'Retention', 'Collections', 'General Enquiries'],
  chat: ['Web Chat Support', 'Web Chat Sales'],
  email: ['Email Support', 'Complaints'],
  message: ['SMS Support', 'WhatsApp Support'],
} as const;

export const CRM_SUBJECTS = {
  task: ['Call back customer', 'Send contract', 'Follow up on quote', 'Verify address', 'Update payment details'],
  event: ['Onboarding meeting', 'Quarterly review', 'Product demo', 'Renewal discussion'],
  case: ['Billing dispute', 'Service outage', 'Cancellation request', 'Complaint', 'Refund request', 'Data access request'],
} as const;

export const HOLD_REASONS = [
  'Litigation: billing dispute',
  'Regulator inquiry',
  'Employment tribunal',
  'Fraud investigation',
  'Insurance claim',
] as const;
