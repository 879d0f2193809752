"""The words a screenplay uses for things that are not names: time of day and scene
qualifiers in headings (N1), camera directions, transitions and sounds in action
lines (N5), voice and crowd cues, look descriptors and generic people nouns (N3).
One module, so the lists are kept in one place. Every entry is upper case; a
phrase is written with single spaces."""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    return frozenset(p.strip().replace("-", " ") for p in text.split(",") if p.strip())


# --- headings (N1) ---------------------------------------------------------------------

# When the scene happens in the day: the heading's time of day proper.
TIMES_OF_DAY = _phrases("""
    DAY, NIGHT, MORNING, AFTERNOON, EVENING, DUSK, DAWN, SUNSET, SUNRISE, NOON, MIDDAY,
    MIDNIGHT, MAGIC HOUR, GOLDEN HOUR, BLUE HOUR, TWILIGHT, DAYBREAK, NIGHTFALL, FIRST LIGHT,
    LATE NIGHT, EARLY MORNING, LATE MORNING, LATE AFTERNOON, EARLY AFTERNOON, EARLY EVENING,
    LATE EVENING, PRE DAWN, MID DAY, MID MORNING, MID AFTERNOON, DAY FOR NIGHT, NIGHT FOR DAY,
    SAME DAY, SAME NIGHT, NEXT DAY, NEXT NIGHT, NEXT MORNING, THE NEXT DAY, THE NEXT MORNING,
    THE NEXT NIGHT, THAT NIGHT, LATER THAT DAY, LATER THAT NIGHT, LATER THAT MORNING""")
# When it happens relative to the scene before.
RELATIVE_TIMES = _phrases("""
    CONTINUOUS, CONT, CONT'D, CONTINUED, LATER, SAME, SAME TIME, MOMENTS LATER, MOMENT LATER,
    MOMENTS BEFORE, MOMENTS EARLIER, SECONDS LATER, MINUTES LATER, HOURS LATER, DAYS LATER,
    WEEKS LATER, MONTHS LATER, YEARS LATER, A FEW MINUTES LATER, A FEW MOMENTS LATER,
    A MOMENT LATER, SOON AFTER, SIMULTANEOUS, SIMULTANEOUSLY, EARLIER, BEFORE, AFTER""")
_RELATIVE = re.compile(r"(?:A FEW |SOME |\d+ |[A-Z]+ )?(?:SECONDS?|MINUTES?|HOURS?|DAYS?|"
                       r"WEEKS?|MONTHS?|YEARS?) (?:LATER|EARLIER|BEFORE|AGO)")
# Other scene data a heading carries: era, flashback, dream, how the scene is shot.
QUALIFIERS = _phrases("""
    FLASHBACK, FLASH BACK, FLASHFORWARD, FLASH FORWARD, END FLASHBACK, BACK TO PRESENT,
    PRESENT, PRESENT DAY, THE PRESENT, PAST, THE PAST, FUTURE, THE FUTURE, DREAM,
    DREAM SEQUENCE, NIGHTMARE, FANTASY, IMAGINATION, MEMORY, REALITY, VISION, HALLUCINATION,
    MOVING, DRIVING, STATIONARY, INTERCUT, INTERCUT WITH, MONTAGE, SERIES OF SHOTS,
    SLOW MOTION, ESTABLISHING, ESTABLISHING SHOT, STOCK, STOCK FOOTAGE, ARCHIVE FOOTAGE,
    RAIN, RAINING, SNOW, SNOWING, STORM, FOG, B&W, BLACK AND WHITE, COLOR, SILENT""")
_YEAR = re.compile(r"(?:(?:SPRING|SUMMER|AUTUMN|FALL|WINTER|EARLY|LATE|MID) )?"
                   r"(?:\d{4}S?|'?\d0S|\d{2,4} (?:AD|BC|A\.D\.|B\.C\.)|YEAR \d+)")


def heading_word(segment: str) -> str | None:
    """What a heading segment is: 'time' (DAY, NIGHT), 'relative' (LATER, CONTINUOUS),
    'qualifier' (FLASHBACK, 1973, PRESENT) or None (part of the location's name)."""
    text = " ".join(segment.upper().replace("-", " ").replace("’", "'").split()).strip(" .,:;")
    if not text:
        return None
    if text in TIMES_OF_DAY:
        return "time"
    if text in RELATIVE_TIMES or _RELATIVE.fullmatch(text):
        return "relative"
    if text in QUALIFIERS or _YEAR.fullmatch(text):
        return "qualifier"
    return None


# --- action lines (N5) -------------------------------------------------------------------

CAMERA_WORDS = _words("""
    ANGLE ANGLES ANGLE-ON CLOSE CLOSER CLOSEUP CLOSE-UP CLOSE-UPS CU ECU ECU'S MCU POV POV'S
    PAN PANS PANNING TILT TILTS TILTING ZOOM ZOOMS ZOOMING DOLLY DOLLIES TRACK TRACKING CRANE
    PUSH PULL WIDE WIDER MEDIUM OVERHEAD AERIAL INSERT REVERSE SHOT SHOTS OTS HANDHELD
    STEADICAM FOCUS FRAME FRAMES FREEZE SLO-MO SLOW MOTION SPLIT SUPER SUPERIMPOSE TITLE
    TITLES CARD CHYRON SUBTITLE SUBTITLES CAPTION CREDITS CREDIT MONTAGE SERIES INTERCUT
    FLASHBACK FLASHBACKS ESTABLISHING BACK RESUME RESUMING CAMERA LENS OFFSCREEN ONSCREEN
    O.S O.S. V.O V.O. O.C O.C. B.G. F.G. BG FG UP DOWN ON OFF OVER INTO ACROSS AROUND
    VIEW VIEWS PROFILE SCENE SCENES SEQUENCE END BEGIN BEGINS START STARTS CONTINUOUS LATER
    DAY NIGHT INT EXT INT. EXT. EST""")
TRANSITION_WORDS = _words("""
    CUT CUTS CUTTING FADE FADES FADING DISSOLVE DISSOLVES SMASH MATCH JUMP WIPE WIPES IRIS
    TO IN OUT BLACK WHITE TRANSITION BURN FLASH""")
SOUND_WORDS = _words("""
    SFX FX VFX CGI SOUND SOUNDS MUSIC SONG SCORE NOISE NOISES LAUGH LAUGHS LAUGHING LAUGHTER
    GIGGLE GIGGLES CHUCKLE CHUCKLES APPLAUD APPLAUDS APPLAUSE APPLAUDING CHEER CHEERS CHEERING
    SCREAM SCREAMS SCREAMING SHRIEK SHRIEKS YELL YELLS SHOUT SHOUTS GASP GASPS SIGH SIGHS SOB
    SOBS CRY CRIES BANG BANGS BOOM BOOMS CRASH CRASHES CRACK SLAM SLAMS THUD THUDS THUMP
    WHAM BAM POW KABOOM KA-BOOM WHOOSH FWOOSH SWOOSH WHIR WHIRR BEEP BEEPS BUZZ BUZZES
    BUZZING RING RINGS RINGING KNOCK KNOCKS KNOCKING CLICK CLICKS CLANG CLANK CLATTER SPLASH
    SPLAT SQUEAL SCREECH HONK HONKS THUNDER BARK BARKS BARKING GROWL GROWLS HOWL HOWLS ROAR
    ROARS WHISTLE WHISTLES GUNSHOT GUNSHOTS GUNFIRE EXPLOSION SIREN SIRENS ECHO ECHOES
    SILENCE HUM HUMS SCREECH SCREECHES SHATTER SHATTERS SMASH SMASHES CRACKS CREAK CREAKS
    SNAP SNAPS POP POPS CLATTERS RUMBLE RUMBLES HISS HISSES SIZZLE SIZZLES DRIP DRIPS
    SQUEAK SQUEAKS CRUNCH CRUNCHES WAIL WAILS BLARE BLARES BLAST BLASTS CHIME CHIMES
    BELLOWS THUNDERS EXPLODES ERUPTS""")
# Interjections and emphasis written in capitals.
EMPHASIS_WORDS = _words("""
    I A AN OK OKAY YES NO HEY OH WOW AH UH UM HMM WHOA WOAH NOW THEN STOP GO DEAD BEAT PAUSE
    NOT ALL VERY REALLY SO TOO JUST ONLY NEVER ALWAYS AGAIN TV AKA A.K.A THE.END
    THE AND OR OF AT WITH BY FOR""")
NOT_NAMES = CAMERA_WORDS | TRANSITION_WORDS | SOUND_WORDS | EMPHASIS_WORDS
# Joining words that may sit inside a name (THE BOY BAND, JACK OF ALL TRADES).
JOINERS = _words("THE AND OF & A AN")
# Lines of on-screen text: what follows is shown, not a name.
ON_SCREEN = re.compile(r"^\s*(?:SUPER|TITLE|TITLES|CARD|TITLE CARD|CHYRON|CAPTION|SUBTITLE|"
                       r"SIGN|TEXT|ON SCREEN|ON-SCREEN|INSERT|BANNER|TITLE OVER|LEGEND)\s*:.*$",
                       re.MULTILINE)
# Quoted text (signs, screens, app names, sounds in quotes).
QUOTED = re.compile(r"\"[^\"\n]*(?:\n[^\"\n]*){0,3}\"|“[^”]*”")
# Words that, just before a name in capitals, mark a thing rather than a person.
DETERMINERS = _words("""
    a an the his her their its my your our this that these those some another each every
    one two three four five six seven eight nine ten any no old new""")
# Words right after a name in capitals that make it a verb (`Steel SMACKS him`).
OBJECT_WORDS = frozenset("the a an him her them it his their its us me you".split())

# --- cues and characters (N3) ----------------------------------------------------------------

VOICE_WORDS = _words("VOICE VOICES V.O. NARRATOR NARRATION")
# A cue that ends in one of these is a device speaking (POLICE RADIO, INTERCOM).
DEVICE_WORDS = _words("""
    RADIO INTERCOM LOUDSPEAKER LOUDSPEAKERS P.A. TANNOY SPEAKERPHONE MEGAPHONE
    ANSWERING-MACHINE VOICEMAIL RECORDING""")
CROWD_WORDS = _words("""
    CROWD CROWDS ALL EVERYONE EVERYBODY BOTH OTHERS CHORUS AUDIENCE CONGREGATION MOB
    ONLOOKERS SPECTATORS TOGETHER UNISON VARIOUS SEVERAL GROUP""")
ARTICLES = _words("A AN THE SOME ANOTHER")
# Extensions under which a character is heard and not seen.
HEARD_ONLY = _phrases("V.O., VO, V.O, O.S., OS, O.S, O.C., OC, O.C, FILTERED, ON PHONE, "
                      "OVER PHONE, ON RADIO, OVER RADIO, PRELAP, PRE LAP, ON INTERCOM, "
                      "OVER INTERCOM, ON SPEAKER, OVER SPEAKER, ON SPEAKERPHONE")
# Words before a name that make another look of the same character.
LOOK_WORDS = _words("""
    YOUNG YOUNGER OLD OLDER ADULT LITTLE TEEN TEENAGE TEENAGED TEENAGER ELDERLY AGED BABY
    INFANT TODDLER CHILD KID GROWN GROWN-UP MIDDLE-AGED AGING AGEING ELDER SENIOR""")
LOOK_SUFFIX = re.compile(r"^(?P<base>.+?)\s*\((?P<look>(?:AGE\s*)?\d{1,3}(?:'?S)?|"
                         r"YOUNG|YOUNGER|OLD|OLDER|ADULT|TEEN|CHILD|KID|ELDERLY)\)$")
# Generic people (and animal) nouns: LITTLE GIRL and PRETTY GIRL are not "Girl".
PEOPLE_NOUNS = _words("""
    MAN MEN WOMAN WOMEN GIRL GIRLS BOY BOYS KID KIDS CHILD CHILDREN LADY LADIES GUY GUYS
    GENTLEMAN GENTLEMEN PERSON PEOPLE BABY BABIES TEEN TEENS TEENAGER TEENAGERS FIGURE
    FIGURES STRANGER STRANGERS""")
# Last words that make a name in capitals a person, a group or an animal, not a thing.
BEING_NOUNS = PEOPLE_NOUNS | _words("""
    COP COPS OFFICER OFFICERS GUARD GUARDS SOLDIER SOLDIERS NURSE NURSES DOCTOR DOCTORS
    DRIVER DRIVERS WAITER WAITRESS BARTENDER CLERK CLERKS AGENT AGENTS DETECTIVE DETECTIVES
    BAND GANG CREW TEAM FAMILY COUPLE TWINS CROWD MOB FRIENDS PARENTS MOTHER FATHER MOM DAD
    SON DAUGHTER BROTHER SISTER WIFE HUSBAND GRANDMA GRANDPA KING QUEEN PRINCE PRINCESS
    BOSS MINION MINIONS THUG THUGS GOON GOONS KILLER SNIPER PRIEST TEACHER STUDENT STUDENTS
    DOG DOGS PUPPY PUPPIES CAT CATS HORSE HORSES BIRD BIRDS ROBOT ROBOTS MONSTER MONSTERS
    CREATURE CREATURES ALIEN ALIENS WITCH WITCHES GIANT GIANTS GHOST GHOSTS ANGEL DEVIL
    VAMPIRE ZOMBIE ZOMBIES WIZARD FAIRY MERMAID CLOWN CLOWNS RINGMASTER JUGGLER ACROBAT
    ACROBATS DANCER DANCERS SINGER SINGERS MUSICIAN MUSICIANS PILOT CAPTAIN SAILOR
    SAILORS FARMER FISHERMAN HUNTER HUNTERS LAWYER JUDGE PRIEST NUN MONK BUTLER MAID
    CHEF COOK WAITERS SERVANT SERVANTS SECRETARY RECEPTIONIST JANITOR MAILMAN SHERIFF
    DEPUTY MAYOR PRESIDENT SENATOR GENERAL SERGEANT COLONEL LIEUTENANT MARINE MARINES
    PARAMEDIC PARAMEDICS SURGEON DENTIST PATIENT PATIENTS PRISONER PRISONERS INMATE
    INMATES BANDIT BANDITS PIRATE PIRATES KNIGHT KNIGHTS STRANGER NEIGHBOR NEIGHBOUR
    TOURIST TOURISTS REPORTER REPORTERS PHOTOGRAPHER BOXER COWBOY COWBOYS""")
# Right after these a name in capitals is heard: `We HEAR a CAR HORN`.
HEARD_BEFORE = re.compile(r"(?:\b(?:hear|hears|heard|hearing)|\b(?:sound|sounds|noise|noises)"
                          r"\s+of)\s+(?:(?:a|an|the|some|distant|faint|loud)\s+)*$",
                          re.IGNORECASE)
AGE_AFTER = re.compile(r"^\s*(?:,\s*|\()\s*(?:\d{1,3}(?:'?s)?\b|(?:all\s+)?aged?\s+\d|"
                       r"(?:early|mid|late)[\s-]+\d0'?s|(?:in\s+)?(?:his|her|their)\s+"
                       r"(?:early\s+|mid\s+|late\s+)?\d0'?s|\d{1,2}\s*-\s*\d{1,2}\b)",
                       re.IGNORECASE)
# `COGNITO, the criminal mastermind,` / `SEVEN WITCHES, all in black,`
APPOSITIVE_AFTER = re.compile(r"^\s*,\s*[a-z]")
# `The WITCH, who lives in the swamp`: a person, whatever comes before.
WHO_AFTER = re.compile(r"^\s*,?\s*(?:who|whom|whose)\b", re.IGNORECASE)
# People by their last word's ending: NEWSBOYS, POLICEMAN, FIREMEN, CHAIRWOMAN.
BEING_ENDING = re.compile(r"(?:MAN|MEN|WOMAN|WOMEN|BOY|BOYS|GIRL|GIRLS|PERSON|PEOPLE)$")
# Place words a heading abbreviates (as the last word: ST. MARY'S is a saint).
PLACE_ABBREVIATIONS = {
    "st": "street", "ave": "avenue", "av": "avenue", "rd": "road", "blvd": "boulevard",
    "apt": "apartment", "bldg": "building", "dept": "department", "hwy": "highway",
    "ln": "lane", "sq": "square", "hq": "headquarters", "pkwy": "parkway", "mt": "mount",
}
