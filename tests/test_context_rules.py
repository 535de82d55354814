"""Context rules: where a phrase alone misleads, the words around it decide (sentences written for these tests).

- "third-party cookies" is a data type, not a recipient; "we do not sell" still names the data;
- the first party, found in its own text, is not a third party; its group is an affiliate;
- role predicates, browsers, contact channels and rows of social links are not recipients;
- weak recipient words ("others", "companies") count only after a sharing verb;
- a generic party's category comes from its clause, its examples, its antecedent or its sentence.
"""
import spacy
from conftest import spans_of

from policylens.labels import THIRD_PARTY


def parties(doc):
    """(text, category) of the THIRD_PARTY spans of a Doc."""
    return [(s.text, s._.category) for s in doc.spans["policylens"] if s.label_ == THIRD_PARTY]


def party_texts(doc):
    return [text for text, _ in parties(doc)]


# --- data types that look like recipients, and negations


def test_third_party_cookies_are_a_data_type(nlp):
    doc = nlp("Our pages set third-party cookies and third party tracking pixels.")
    assert party_texts(doc) == []
    data = [text for text, _, _ in spans_of(doc, "DATA_TYPE")]
    assert "third-party cookies" in data


def test_a_negated_sale_still_names_the_data(nlp):
    doc = nlp("We do not sell your personal information or your phone number to anyone.")
    data = [text for text, _, _ in spans_of(doc, "DATA_TYPE")]
    assert data == ["personal information", "phone number"]


# --- the first party


def test_a_defined_first_party_is_not_a_third_party(nlp):
    doc = nlp(
        'Dropbox, Inc. ("Dropbox", "we", "us") keeps this notice. Dropbox sends your receipts '
        "through Stripe, and Dropbox support answers your questions."
    )
    assert party_texts(doc) == ["Stripe"]


def test_the_same_name_is_a_third_party_in_another_companys_policy(nlp):
    doc = nlp('Quokka Labs Ltd. ("Quokka", "we") stores backups with Dropbox.')
    assert party_texts(doc) == ["Dropbox"]


def test_the_title_names_the_first_party(nlp):
    doc = nlp("# Zendesk Privacy Notice\n\nZendesk collects your name. We share it with Mailchimp.")
    assert party_texts(doc) == ["Mailchimp"]


def test_an_introduction_names_the_first_party(nlp):
    doc = nlp("Welcome to Mailchimp. Mailchimp respects your privacy and uses Google Analytics.")
    assert party_texts(doc) == ["Google Analytics"]


def test_the_parties_inside_the_definition_are_the_first_party(nlp):
    doc = nlp(
        'This app is run by Quokka Labs, Inc. and its affiliates (collectively, "Quokka"). '
        "We share order data with our affiliates."
    )
    assert party_texts(doc) == ["affiliates"]
    assert doc.spans["policylens"][-1].start_char > 60


def test_the_first_partys_group_is_an_affiliate(nlp):
    doc = nlp('Quokka Labs Ltd. ("Quokka", "we") may pass your data to Quokka group companies.')
    assert parties(doc) == [("Quokka group companies", "affiliate")]


# --- mentions that name no recipient


def test_a_role_predicate_is_not_a_recipient_but_such_as_introduces_one(nlp):
    doc = nlp("Our drivers act as independent contractors. We use vendors such as service providers.")
    assert party_texts(doc) == ["vendors", "service providers"]


def test_a_browser_maker_is_not_a_recipient(nlp):
    text = "Your browser, for example Microsoft Internet Explorer, sends a header. We host data with Microsoft."
    doc = nlp(text)
    assert [s.start_char for s in doc.spans["policylens"] if s.label_ == THIRD_PARTY] == [text.rindex("Microsoft")]


def test_a_contact_channel_is_not_a_recipient(nlp):
    doc = nlp("Questions? Write to us:\n- Telegram: @quokka_help\n- WhatsApp: +44 20 7946 0000")
    assert party_texts(doc) == []


def test_a_row_of_social_links_is_not_a_recipient(nlp):
    doc = nlp("We may change this policy.\n\nFacebook\nInstagram\nPinterest")
    assert party_texts(doc) == []


def test_a_list_of_services_with_one_social_network_stays(nlp):
    doc = nlp("The app uses these services:\n\n• Firebase Crashlytics\n• Facebook\n• Stripe")
    assert party_texts(doc) == ["Firebase Crashlytics", "Facebook", "Stripe"]


def test_others_is_a_recipient_only_after_a_sharing_verb(nlp):
    assert party_texts(nlp("We may disclose your profile to others.")) == ["others"]
    assert party_texts(nlp("Be kind to others in the forum.")) == []
    assert party_texts(nlp("We may sell your address list to companies.")) == ["companies"]
    assert party_texts(nlp("Our tool is popular with companies.")) == []


# --- category from context


def test_examples_in_a_parenthesis_give_the_category(nlp):
    doc = nlp("We pass your order to third parties (couriers or subcontractors) so that it arrives.")
    assert parties(doc)[0] == ("third parties", "service_provider")


def test_like_examples_give_the_category(nlp):
    doc = nlp("Usage statistics go to third-party tools like Google Analytics.")
    assert ("third-party tools", "analytics") in parties(doc)


def test_mixed_vendor_examples_make_service_providers(nlp):
    doc = nlp("We rely on third parties such as payment processors, email service providers and hosting providers.")
    assert parties(doc)[0] == ("third parties", "service_provider")


def test_a_restrictive_clause_gives_the_category(nlp):
    doc = nlp("The service providers that we use to show our advertisements receive your device ID.")
    assert parties(doc) == [("service providers", "advertising")]
    doc = nlp("We give your name to third parties who help us operate the shop.")
    assert parties(doc) == [("third parties", "service_provider")]


def test_an_anaphor_takes_its_antecedents_category(nlp):
    doc = nlp(
        "We use a third party email service provider to send newsletters. "
        "This service provider may not use your address for anything else."
    )
    assert [c for _, c in parties(doc)] == ["communications", "communications"]


def test_a_marketing_sentence_makes_bare_third_parties_partners(nlp):
    doc = nlp("With your consent, selected third parties may send you special offers.")
    assert parties(doc) == [("third parties", "partner")]


def test_partners_in_an_advertising_sentence_are_advertising(nlp):
    doc = nlp("Our partners show you interest-based ads on other sites.")
    assert parties(doc)[0] == ("partners", "advertising")


def test_a_bare_heading_stays_unspecified(nlp):
    doc = nlp("## Third Parties\nWe send marketing offers to you ourselves.")
    assert parties(doc) == [("Third Parties", "unspecified")]


def test_context_cues_survive_save_and_load(saved_pipeline):
    nlp = spacy.load(saved_pipeline)
    doc = nlp("Welcome to Mailchimp. Usage statistics go to third-party tools like Google Analytics.")
    assert ("third-party tools", "analytics") in parties(doc)
    assert "Mailchimp" not in party_texts(doc)


# --- data words that name no personal data


def test_a_data_word_modifying_a_process_is_not_a_data_type(nlp):
    doc = nlp("Accounts use password authentication and password-protected backups. Choose a strong password.")
    assert [s.start_char for s in doc.spans["policylens"] if s.label_ == "DATA_TYPE"] == [doc.text.rindex("password")]


def test_personal_data_as_a_modifier_stays_but_data_subjects_do_not(nlp):
    doc = nlp("Personal data processing is explained below, with personal data subjects' rights.")
    data = [text for text, _, _ in spans_of(doc, "DATA_TYPE")]
    assert data == ["Personal data"]


def test_the_companys_own_address_is_not_a_data_type(nlp):
    doc = nlp("Write to our address in Leeds. We store your address and your phone number.")
    data = [(s.text, s.start_char) for s in doc.spans["policylens"] if s.label_ == "DATA_TYPE"]
    assert data == [("address", doc.text.rindex("address")), ("phone number", doc.text.index("phone number"))]


def test_address_as_a_verb_is_not_a_data_type(nlp):
    doc = nlp("Our team addresses your questions quickly.")
    assert spans_of(doc, "DATA_TYPE") == []


def test_product_names_and_pixel_sizes_are_not_data_types(nlp):
    doc = nlp("All product names are trademarks. A beacon is an image of 1 pixel. We record your name.")
    data = [text for text, _, _ in spans_of(doc, "DATA_TYPE")]
    assert "names" not in data and "pixel" not in data and "name" in data


def test_a_defined_alias_names_the_first_party(nlp):
    doc = nlp(
        'The Lantern app was created by Glowworm Games (hereby referred to as "Service Provider"). '
        "The Service Provider may share data with service providers such as Firebase."
    )
    assert party_texts(doc) == ["service providers", "Firebase"]


def test_an_authority_the_user_complains_to_is_not_a_recipient(nlp):
    doc = nlp("You may lodge a complaint with a public authority. We disclose data to a public authority on request.")
    parties_found = [(s.text, s.start_char) for s in doc.spans["policylens"] if s.label_ == THIRD_PARTY]
    assert parties_found == [("public authority", doc.text.rindex("public authority"))]


def test_a_written_out_company_detail_is_not_a_data_type(nlp):
    doc = nlp("Contact us.\nAddress: 12 Harbour Road, Hull\nPhone: +44 1482 000000\nWe keep your address on file.")
    data = [(s.text, s.start_char) for s in doc.spans["policylens"] if s.label_ == "DATA_TYPE"]
    assert data == [("address", doc.text.rindex("address"))]


def test_address_after_a_modal_and_browser_settings_are_not_data_types(nlp):
    doc = nlp("The app does not address children. Change your browser settings to refuse cookies.")
    assert [text for text, _, _ in spans_of(doc, "DATA_TYPE")] == ["cookies"]


def test_list_only_words_count_beside_other_data(nlp):
    doc = nlp("At sign-up we ask for your full name, age, email and education.")
    data = [text for text, _, _ in spans_of(doc, "DATA_TYPE")]
    assert data == ["full name", "age", "email", "education"]


def test_list_only_words_alone_or_as_channels_are_not_data(nlp):
    assert spans_of(nlp("You must have reached the age of majority."), "DATA_TYPE") == []
    assert spans_of(nlp("We may reach you by email, telephone or post."), "DATA_TYPE") == []
    doc = nlp("We protect your information and your education matters to us.")
    assert [text for text, _, _ in spans_of(doc, "DATA_TYPE")] == ["information"]


def test_provided_by_names_the_first_party_only_when_no_catalogued_vendor_is_meant(nlp):
    doc = nlp("This notice covers the Lantern app, provided by Glowworm Games. Crash reports are provided by Firebase Crashlytics.")
    assert party_texts(doc) == ["Firebase Crashlytics"]
    doc = nlp("Card payments in the app are provided by Stripe. We send Stripe your billing address.")
    assert party_texts(doc) == ["Stripe", "Stripe"]


def test_a_kind_word_in_the_span_gives_the_category(nlp):
    doc = nlp("Customer support vendors answer chats on our behalf; other vendors that host our servers.")
    assert [category for _, category in parties(doc)] == ["customer_support", "hosting_infrastructure"]


def test_a_mixed_list_of_examples_leaves_the_kind_open(nlp):
    doc = nlp("We obtain data from third parties such as data brokers, social networks and government agencies.")
    assert parties(doc)[0] == ("third parties", "unspecified")
