"""A generated corpus of short privacy-policy-like documents, written for these tests."""
import random

SUBJECTS = ["We", "Our company", "The service", "Our app", "The website operator"]
VERBS = ["collect", "store", "process", "use", "receive"]
DATA = ["your email address", "your IP address", "your phone number", "device identifiers",
        "your postal address", "payment card details", "location data", "browsing history"]
PURPOSES = ["to run the service", "to answer your questions", "to prevent fraud",
            "to improve our products", "to send you updates you asked for"]
SHARING = ["We share {d} with our hosting provider.", "We do not sell {d}.",
           "Advertising partners may receive {d}.", "Payment processors see {d} when you pay."]
RETENTION = ["We keep {d} for {n} days.", "Logs are deleted after {n} months.",
             "We retain {d} for as long as your account is open."]
CONTACT = ["Questions? Write to privacy@{w}.example.", "Contact our data protection officer at dpo@{w}.example.",
           "You can reach us at help [at] {w} [dot] example."]
WORDS = ["otter", "lantern", "meadow", "quill", "harbor", "cobalt", "fennel", "juniper"]


def policy_text(rng: random.Random, sentences: int = 8) -> str:
    """One generated document of a few paragraphs.

    rng (random.Random): The random source (seeded by the caller, so corpora are reproducible).
    sentences (int): Sentences in the document.
    RETURNS (str): The text.
    """
    out = []
    for _ in range(sentences):
        kind = rng.randrange(4)
        d = rng.choice(DATA)
        if kind == 0:
            out.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {d} {rng.choice(PURPOSES)}.")
        elif kind == 1:
            out.append(rng.choice(SHARING).format(d=d))
        elif kind == 2:
            out.append(rng.choice(RETENTION).format(d=d, n=rng.randrange(7, 400)))
        else:
            out.append(rng.choice(CONTACT).format(w=rng.choice(WORDS) + str(rng.randrange(100))))
    paragraphs = [" ".join(out[i : i + 3]) for i in range(0, len(out), 3)]
    return "\n\n".join(paragraphs) + "\n"
