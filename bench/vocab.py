"""Parallel French/English help-center vocabulary for the synthetic corpus and its query trace.

Every entry is a translation pair so that one sequence of random choices renders the same
article in both languages. French objects carry their article (``la facture``, ``l'abonnement``)
and a bare form for queries (``facture``); templates never put ``de``/``à`` before an object,
so no contraction (``du``, ``au``) is ever needed.
"""

from __future__ import annotations

# topic -> (intent allowed by docs/authoring.md, objects (fr_def, fr_bare, en), keywords (fr, en))
TOPICS: dict[str, tuple[str, list[tuple[str, str, str]], list[tuple[str, str]]]] = {
    "billing": ("refund", [
        ("la facture", "facture", "invoice"), ("le moyen de paiement", "moyen de paiement",
         "payment method"), ("la carte bancaire", "carte bancaire", "credit card"),
        ("le remboursement", "remboursement", "refund"), ("le reçu", "reçu", "receipt"),
        ("le prélèvement", "prélèvement", "direct debit"), ("l'adresse de facturation",
         "adresse de facturation", "billing address"), ("le montant débité", "montant débité",
         "amount charged"), ("la TVA", "TVA", "VAT"), ("le devis", "devis", "quote"),
    ], [("facturation", "billing"), ("débit", "charge"), ("argent", "money"), ("paiement",
        "payment")]),
    "account": ("contact", [
        ("le compte", "compte", "account"), ("le mot de passe", "mot de passe", "password"),
        ("l'adresse e-mail", "adresse e-mail", "email address"), ("le profil", "profil",
         "profile"), ("le nom d'utilisateur", "nom d'utilisateur", "username"),
        ("la langue d'affichage", "langue d'affichage", "display language"),
        ("le numéro de téléphone", "numéro de téléphone", "phone number"),
        ("la photo de profil", "photo de profil", "profile picture"),
    ], [("identifiant", "login"), ("connexion", "sign in"), ("inscription", "sign up")]),
    "devices": ("contact", [
        ("l'appareil", "appareil", "device"), ("le téléphone", "téléphone", "phone"),
        ("la tablette", "tablette", "tablet"), ("l'ordinateur", "ordinateur", "computer"),
        ("la licence", "licence", "licence"), ("la montre connectée", "montre connectée",
         "smartwatch"), ("le nombre d'appareils", "nombre d'appareils", "device limit"),
    ], [("smartphone", "mobile"), ("PC", "laptop"), ("poste", "desktop")]),
    "security": ("contact", [
        ("l'analyse antivirus", "analyse antivirus", "virus scan"), ("le pare-feu", "pare-feu",
         "firewall"), ("la quarantaine", "quarantaine", "quarantine"), ("la menace détectée",
         "menace détectée", "detected threat"), ("la validation en deux étapes",
         "validation en deux étapes", "two-step verification"), ("le code de vérification",
         "code de vérification", "verification code"), ("le coffre-fort", "coffre-fort",
         "password vault"), ("la protection en temps réel", "protection en temps réel",
         "real-time protection"),
    ], [("virus", "malware"), ("piratage", "hacked"), ("sécurité", "safety")]),
    "installation": ("contact", [
        ("le programme d'installation", "programme d'installation", "installer"),
        ("la mise à jour", "mise à jour", "update"), ("le fichier téléchargé",
         "fichier téléchargé", "downloaded file"), ("l'extension du navigateur",
         "extension du navigateur", "browser extension"), ("la clé de produit", "clé de produit",
         "product key"), ("la désinstallation", "désinstallation", "uninstall"),
        ("la version", "version", "version"),
    ], [("installer", "setup"), ("télécharger", "download"), ("logiciel", "software")]),
    "subscriptions": ("auto_renew", [
        ("l'abonnement", "abonnement", "subscription"), ("le renouvellement automatique",
         "renouvellement automatique", "automatic renewal"), ("la période d'essai",
         "période d'essai", "trial"), ("la formule", "formule", "plan"),
        ("la date d'expiration", "date d'expiration", "expiry date"), ("l'offre familiale",
         "offre familiale", "family plan"), ("la résiliation", "résiliation", "cancellation"),
    ], [("résilier", "unsubscribe"), ("reconduction", "auto renew"), ("forfait", "membership")]),
    "privacy": ("contact", [
        ("le VPN", "VPN", "VPN"), ("les données personnelles", "données personnelles",
         "personal data"), ("l'historique de navigation", "historique de navigation",
         "browsing history"), ("le contrôle parental", "contrôle parental", "parental control"),
        ("la surveillance du dark web", "surveillance du dark web", "dark web monitoring"),
        ("le consentement", "consentement", "consent"),
    ], [("vie privée", "privacy"), ("RGPD", "GDPR"), ("traçage", "tracking")]),
    "network": ("contact", [
        ("la connexion Wi-Fi", "connexion Wi-Fi", "Wi-Fi connection"), ("le routeur",
         "routeur", "router"), ("le serveur VPN", "serveur VPN", "VPN server"),
        ("la vitesse de connexion", "vitesse de connexion", "connection speed"),
        ("le proxy", "proxy", "proxy"), ("le réseau domestique", "réseau domestique",
         "home network"),
    ], [("internet", "internet"), ("lent", "slow"), ("box", "modem")]),
    "backup": ("contact", [
        ("la sauvegarde en ligne", "sauvegarde en ligne", "cloud backup"),
        ("l'espace de stockage", "espace de stockage", "storage space"),
        ("la restauration", "restauration", "file restore"), ("le dossier synchronisé",
         "dossier synchronisé", "synced folder"), ("la copie de sécurité", "copie de sécurité",
         "backup copy"),
    ], [("fichiers perdus", "lost files"), ("cloud", "cloud"), ("récupérer", "recover")]),
    "email": ("contact", [
        ("la boîte de réception", "boîte de réception", "inbox"), ("le courriel suspect",
         "courriel suspect", "suspicious email"), ("le filtre antispam", "filtre antispam",
         "spam filter"), ("la pièce jointe", "pièce jointe", "attachment"),
        ("la newsletter", "newsletter", "newsletter"),
    ], [("hameçonnage", "phishing"), ("pourriel", "spam"), ("arnaque", "scam")]),
}

# (fr infinitive, en base form)
VERBS: list[tuple[str, str]] = [
    ("modifier", "change"), ("mettre à jour", "update"), ("supprimer", "delete"),
    ("activer", "turn on"), ("désactiver", "turn off"), ("configurer", "set up"),
    ("vérifier", "check"), ("retrouver", "find"), ("réinitialiser", "reset"),
    ("transférer", "transfer"), ("annuler", "cancel"), ("télécharger", "download"),
    ("installer", "install"), ("restaurer", "restore"), ("partager", "share"),
    ("renouveler", "renew"), ("ajouter", "add"), ("consulter", "view"), ("exporter", "export"),
]

PLACES: list[tuple[str, str]] = [
    ("sur Windows", "on Windows"), ("sur Mac", "on a Mac"), ("sur Android", "on Android"),
    ("sur iPhone et iPad", "on iPhone and iPad"), ("dans le navigateur", "in the browser"),
    ("depuis l'application mobile", "from the mobile app"),
    ("depuis l'espace client", "from your account page"), ("sur Linux", "on Linux"),
]

UI: list[tuple[str, str]] = [
    ("le menu Compte", "the Account menu"), ("la page Mes abonnements",
     "the My Subscriptions page"), ("l'onglet Paramètres", "the Settings tab"),
    ("l'espace client", "your account page"), ("le tableau de bord", "the dashboard"),
    ("la section Sécurité", "the Security section"), ("le centre de notifications",
     "the notification center"), ("la fenêtre principale", "the main window"),
]

BUTTONS: list[tuple[str, str]] = [
    ("« Enregistrer »", '"Save"'), ("« Continuer »", '"Continue"'), ("« Désactiver »",
     '"Disable"'), ("« Confirmer »", '"Confirm"'), ("« Télécharger »", '"Download"'),
    ("« Suivant »", '"Next"'), ("« Gérer »", '"Manage"'), ("« Réessayer »", '"Try again"'),
]

PRODUCTS = ["Norvex Security", "Norvex 360", "Norvex Deluxe", "Norvex VPN", "Norvex Family",
            "Norvex Utilities", "Norvex Mobile"]

# section headings (fr, en, anchor); "steps" holds the ordered list when an article has steps
HEADINGS: list[tuple[str, str, str]] = [
    ("Avant de commencer", "Before you start", "before-you-start"),
    ("Sur ordinateur", "On a computer", "desktop"), ("Sur mobile", "On mobile", "mobile"),
    ("Si le problème persiste", "If the problem persists", "troubleshooting"),
    ("Questions fréquentes", "Frequently asked questions", "faq"),
    ("Délais", "How long it takes", "timing"),
    ("Ce qu'il faut savoir", "What you need to know", "good-to-know"),
    ("Messages d'erreur", "Error messages", "errors"), ("Conditions", "Conditions", "conditions"),
    ("Pour aller plus loin", "Going further", "more"), ("Sécurité", "Security", "security"),
    ("Comptes familiaux", "Family accounts", "family"), ("Confidentialité", "Privacy", "privacy"),
]
STEPS_HEADING = ("Étapes", "Steps", "steps")

# title templates: {v} verb, {o} object (fr: with article), {p} place, {prod} product
TITLES: list[tuple[str, str]] = [
    ("Comment {v} {o}", "How to {v} the {o}"), ("{V} {o} {p}", "{V} the {o} {p}"),
    ("Problèmes avec {o}", "Problems with the {o}"),
    ("Questions fréquentes : {o}", "FAQ: the {o}"),
    ("Pourquoi je ne peux pas {v} {o}", "Why I cannot {v} the {o}"),
    ("{prod} : {v} {o}", "{prod}: {v} the {o}"),
]

# paragraph sentences; {o}/{o2} objects, {O} capitalized, {v}/{v2} verbs, {p} place, {ui},
# {prod}, {feat} rare feature name, {code} error code, {n} small number, {d} days, {ver} version
SENTENCES: list[tuple[str, str]] = [
    ("Vous pouvez {v} {o} à tout moment depuis {ui}.",
     "You can {v} the {o} at any time from {ui}."),
    ("Si {o} n'apparaît pas, vérifiez que vous êtes connecté au bon compte.",
     "If the {o} does not appear, check that you are signed in to the right account."),
    ("Cette opération prend en général moins de {n} minutes.",
     "This usually takes less than {n} minutes."),
    ("Votre compte regroupe {o} et {o2}.", "Your account holds the {o} and the {o2}."),
    ("Dans {prod}, {o} se trouve dans {ui}.", "In {prod}, the {o} is in {ui}."),
    ("Si vous voyez l'erreur {code}, redémarrez l'appareil puis réessayez.",
     "If you see error {code}, restart the device and try again."),
    ("Nous vous conseillons de {v} {o} avant de {v2} {o2}.",
     "We recommend that you {v} the {o} before you {v2} the {o2}."),
    ("{feat} vous aide à {v} {o} automatiquement.", "{feat} helps you {v} the {o} automatically."),
    ("Comptez jusqu'à {d} jours avant la prise en compte des changements.",
     "Allow up to {d} days for the changes to take effect."),
    ("Cette option est disponible {p}.", "This option is available {p}."),
    ("Vous recevrez un e-mail de confirmation une fois l'opération terminée.",
     "You will receive a confirmation email once the operation is complete."),
    ("Pour des raisons de sécurité, il peut vous être demandé de saisir {o2}.",
     "For security reasons, you may be asked to enter the {o2}."),
    ("Si le problème persiste, contactez l'assistance en indiquant le code {code}.",
     "If the problem persists, contact support and give the code {code}."),
    ("Les abonnés à {prod} peuvent {v} {o} sans frais supplémentaires.",
     "{prod} subscribers can {v} the {o} at no extra cost."),
    ("Depuis la version {ver}, {o} est géré par {feat}.",
     "Since version {ver}, the {o} is managed by {feat}."),
    ("Vérifiez que {o} correspond bien à votre commande.",
     "Check that the {o} matches your order."),
    ("Il n'est pas possible de {v} {o} {p}.", "It is not possible to {v} the {o} {p}."),
    ("Notez que {o} reste disponible jusqu'à la fin de la période en cours.",
     "Note that the {o} remains available until the end of the current period."),
    ("Un administrateur du compte familial peut {v} {o} pour les autres membres.",
     "An administrator of the family account can {v} the {o} for the other members."),
    ("En cas de doute, notre équipe peut vous guider par téléphone ou par chat.",
     "If in doubt, our team can guide you by phone or by chat."),
]

STEPS: list[tuple[str, str]] = [
    ("Connectez-vous à votre compte.", "Sign in to your account."), ("Ouvrez {ui}.", "Open {ui}."),
    ("Cliquez sur {btn}.", "Click {btn}."), ("Sélectionnez {o} dans la liste.",
     "Select the {o} from the list."), ("Saisissez {o2}, puis validez.",
     "Enter the {o2}, then confirm."), ("Activez l'option {feat}.", "Turn on the {feat} option."),
    ("Redémarrez l'application.", "Restart the app."),
    ("Vérifiez les informations affichées, puis cliquez sur {btn}.",
     "Check the details shown, then click {btn}."),
    ("Attendez le message de confirmation.", "Wait for the confirmation message."),
    ("Faites glisser le curseur sur OFF.", "Move the slider to OFF."),
    ("Téléchargez {o} et ouvrez le fichier.", "Download the {o} and open the file."),
    ("Choisissez {prod} dans le menu.", "Choose {prod} in the menu."),
]

SUMMARIES: list[tuple[str, str]] = [
    ("Vous pouvez {v} {o} en quelques étapes depuis {ui}.",
     "You can {v} the {o} in a few steps from {ui}."),
    ("Cet article explique comment {v} {o} {p}.", "This article explains how to {v} the {o} {p}."),
    ("Pour {v} {o}, ouvrez {ui} et suivez les étapes.",
     "To {v} the {o}, open {ui} and follow the steps."),
]

SYLLABLES = ["ka", "lo", "vi", "ra", "ne", "to", "mi", "su", "pe", "lin", "dor", "bex", "tra",
             "qua", "zen", "fio", "mar", "sel", "gri", "nox", "val", "tek", "ori", "sym", "ple"]

# queries a help widget receives that no article answers
OUT_OF_SCOPE: list[tuple[str, str]] = [
    ("fr", "recette de la tarte aux pommes"), ("fr", "horaires de la poste"),
    ("fr", "remboursement billet de train"), ("fr", "météo demain à paris"),
    ("fr", "résilier netflix"), ("fr", "code promo pizza"), ("fr", "impôts en ligne déclaration"),
    ("en", "how to cook rice"), ("en", "cancel netflix subscription"),
    ("en", "weather tomorrow london"), ("en", "amazon prime refund"),
    ("en", "best pizza near me"), ("en", "tv bought at best buy broken"),
    ("en", "lyrics bohemian rhapsody"),
]
