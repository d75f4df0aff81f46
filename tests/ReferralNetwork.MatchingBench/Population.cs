using ReferralNetwork.Contracts;
using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.MatchingBench;

internal enum Culture
{
    Vietnamese,
    Khmer,
    Lao,
    Burmese,
    Thai,
}

/// <summary>A synthetic person: the name parts chosen from the hand-made lists and the spelling on their passport.</summary>
internal sealed class Person
{
    public required Culture Culture { get; init; }
    public required Sex Sex { get; init; }
    public required DateOnly DateOfBirth { get; init; }
    public required NamePart[] Family { get; init; } // Thai family names are two parts; Burmese have none
    public NamePart[] Middle { get; init; } = [];
    public required NamePart[] Given { get; init; }

    /// <summary>The spelling this person's documents use, per part (Family, Middle, Given in that order).</summary>
    public required int[] Passport { get; init; }
}

/// <summary>What one record holds and how it was made, for the report's breakdown.</summary>
internal sealed record SyntheticRecord(PersonIdentifiers Identifiers, string Kind);

/// <summary>
/// The population of the benchmark: people of the five countries with the region's naming patterns, and records
/// of them as agencies write them — in the native script or in Latin letters, with the spelling variants people
/// actually use — and, for planted duplicates, a second record with the corruptions of cross-border case files.
/// Every record is a pure function of (seed, index), so runs are repeatable and parallel.
/// </summary>
internal sealed class Population(int seed)
{
    private static readonly (Culture Culture, double Weight)[] Cultures =
        [(Culture.Vietnamese, 0.30), (Culture.Khmer, 0.20), (Culture.Burmese, 0.20), (Culture.Thai, 0.18), (Culture.Lao, 0.12)];

    public Person NewPerson(Random random)
    {
        var culture = Pick(random, Cultures, c => c.Weight).Culture;
        var sex = random.NextDouble() < 0.6 ? Sex.Female : Sex.Male;
        var female = sex == Sex.Female;
        // Victims identified now were mostly born 1985–2010; a triangular spread around 1999.
        var year = (int)Math.Round(1999 + (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 16);
        var dob = new DateOnly(year, 1, 1).AddDays(random.Next(DateTime.IsLeapYear(year) ? 366 : 365));
        NamePart[] family, middle = [], given;
        switch (culture)
        {
            case Culture.Vietnamese:
                family = [Pick(random, NameData.VietnameseFamily)];
                middle = [Pick(random, female ? NameData.VietnameseMiddleFemale : NameData.VietnameseMiddleMale)];
                given = [Pick(random, female ? NameData.VietnameseGivenFemale : NameData.VietnameseGivenMale)];
                break;
            case Culture.Khmer:
                family = [Pick(random, NameData.KhmerFamily)];
                given = [Pick(random, female ? NameData.KhmerGivenFemale : NameData.KhmerGivenMale)];
                break;
            case Culture.Lao:
                family = [Pick(random, NameData.LaoFamily)];
                given = [Pick(random, female ? NameData.LaoGivenFemale : NameData.LaoGivenMale)];
                break;
            case Culture.Burmese:
                family = [];
                var syllables = female ? NameData.BurmeseFemale : NameData.BurmeseMale;
                var count = random.NextDouble() switch { < 0.05 => 1, < 0.55 => 2, < 0.95 => 3, _ => 4 };
                given = [.. Enumerable.Range(0, count).Select(_ => Pick(random, syllables))];
                break;
            default:
                family = [Pick(random, NameData.ThaiFamilyParts), Pick(random, NameData.ThaiFamilyParts)];
                given = [Pick(random, female ? NameData.ThaiGivenFemale : NameData.ThaiGivenMale)];
                break;
        }

        var parts = family.Concat(middle).Concat(given).ToArray();
        // Most documents carry the usual spelling (listed first, and twice); some another real one.
        var passport = parts.Select(p => random.NextDouble() < 0.7 ? 0 : random.Next(p.Latin.Length)).ToArray();
        return new Person { Culture = culture, Sex = sex, DateOfBirth = dob, Family = family, Middle = middle, Given = given, Passport = passport };
    }

    /// <summary>A record as an agency of the person's own country writes it: native script half of the time.</summary>
    public SyntheticRecord Original(Person person, Random random, bool yearOnlySometimes)
    {
        var native = random.NextDouble() < 0.5;
        var (given, family) = Render(person, random, native, fromPassport: 0.85);
        given = MaybeTitle(person, random, native, given, 0.1);
        var dob = yearOnlySometimes && random.NextDouble() < 0.08
            ? new PartialDate(person.DateOfBirth.Year)
            : PartialDate.From(person.DateOfBirth);
        return new SyntheticRecord(new PersonIdentifiers(given, family, dob, person.Sex), native ? "native" : "latin");
    }

    /// <summary>
    /// The same person recorded again across a border: Latin letters, perhaps another spelling, and the errors of
    /// hurried identification — typos, swapped or mis-fielded names, a missing family or middle name, a date of
    /// birth a day off, day and month swapped, only the (estimated) year.
    /// </summary>
    public SyntheticRecord Duplicate(Person person, Random random)
    {
        var kinds = new List<string>();
        var native = random.NextDouble() < 0.1; // sometimes both sides write the native script
        var dropMiddle = person.Middle.Length > 0 && random.NextDouble() < 0.15;
        var (given, family) = Render(person, random, native, fromPassport: 0.6, dropMiddle);
        kinds.Add(native ? "native" : "latin");
        if (dropMiddle)
        {
            kinds.Add("no-middle");
        }

        if (!native && random.NextDouble() < 0.3)
        {
            kinds.Add("typo");
            if (family is not null && random.NextDouble() < 0.4)
            {
                family = Typo(family, random);
            }
            else
            {
                given = Typo(given, random);
            }
        }

        if (family is not null && random.NextDouble() < 0.2)
        {
            if (random.NextDouble() < 0.5)
            {
                kinds.Add("swapped-fields");
                (given, family) = (family, given);
            }
            else
            {
                kinds.Add("whole-name-in-given");
                // "Nguyen Thi Lan" family-first in the given-name box, or "Sokha Chan" the Western way round.
                given = person.Culture is Culture.Vietnamese or Culture.Khmer ? $"{family} {given}" : $"{given} {family}";
                family = null;
            }
        }
        else if (family is not null && random.NextDouble() < 0.08)
        {
            kinds.Add("no-family");
            family = null;
        }

        given = MaybeTitle(person, random, native, given, 0.15);
        var d = person.DateOfBirth;
        PartialDate dob;
        var r = random.NextDouble();
        if (r < 0.6)
        {
            dob = PartialDate.From(d);
        }
        else if (r < 0.72)
        {
            kinds.Add("dob-day-off");
            dob = PartialDate.From(d.AddDays(random.NextDouble() < 0.5 ? -1 : 1));
        }
        else if (r < 0.80)
        {
            var swappable = d.Day <= 12 && d.Day != d.Month;
            if (swappable)
            {
                kinds.Add("dob-day-month-swapped");
            }

            dob = swappable ? new PartialDate(d.Year, d.Day, d.Month) : PartialDate.From(d);
        }
        else if (r < 0.95)
        {
            kinds.Add("dob-year-only");
            dob = new PartialDate(d.Year);
        }
        else
        {
            kinds.Add("dob-year-estimated-off");
            dob = new PartialDate(d.Year + (random.NextDouble() < 0.5 ? -1 : 1));
        }

        var sex = person.Sex;
        if (random.NextDouble() < 0.03)
        {
            kinds.Add("sex-unknown");
            sex = Sex.Unknown;
        }

        return new SyntheticRecord(new PersonIdentifiers(given, family, dob, sex), string.Join('+', kinds));
    }

    private static (string Given, string? Family) Render(Person person, Random random, bool native, double fromPassport, bool dropMiddle = false)
    {
        var index = 0;
        string Spell(NamePart part)
        {
            var passport = person.Passport[index++];
            if (native)
            {
                return part.Native;
            }

            return part.Latin[random.NextDouble() < fromPassport ? passport : random.Next(part.Latin.Length)];
        }

        var family = person.Family.Select(Spell).ToList();
        var middle = person.Middle.Select(Spell).ToList();
        var given = person.Given.Select(Spell).ToList();
        if (dropMiddle)
        {
            middle.Clear();
        }

        string? familyText = family.Count == 0 ? null
            : person.Culture == Culture.Thai && !native ? Capitalize(string.Concat(family).ToLowerInvariant())
            : string.Concat(family);
        // Burmese writes a name as one run in its script, and syllable by syllable in Latin letters.
        var separator = native && person.Culture is Culture.Burmese or Culture.Thai or Culture.Lao ? "" : " ";
        if (native && person.Culture == Culture.Burmese && random.NextDouble() < 0.3)
        {
            separator = " ";
        }

        var givenText = string.Join(separator, middle.Concat(given));
        return (givenText, familyText);
    }

    private static string MaybeTitle(Person person, Random random, bool native, string given, double probability)
    {
        if (random.NextDouble() >= probability)
        {
            return given;
        }

        var female = person.Sex == Sex.Female;
        var titles = person.Culture switch
        {
            Culture.Burmese => female ? NameData.BurmeseTitlesFemale : NameData.BurmeseTitlesMale,
            Culture.Thai => female ? NameData.ThaiTitlesFemale : NameData.ThaiTitlesMale,
            Culture.Khmer => female ? NameData.KhmerTitlesFemale : NameData.KhmerTitlesMale,
            _ => [(female ? "Bà" : "Ông", female ? "Ms" : "Mr")],
        };
        var (nativeTitle, latinTitle) = titles[random.Next(titles.Length)];
        if (!native)
        {
            return $"{latinTitle} {given}";
        }

        // Thai joins its titles to the name; the others write them as a word. Vietnamese Ông/Bà are not
        // stripped by the normalizer (they are also names), so they are only used in Latin form ("Mr").
        return person.Culture switch
        {
            Culture.Thai => nativeTitle + given,
            Culture.Vietnamese => $"{latinTitle} {given}",
            _ => $"{nativeTitle} {given}",
        };
    }

    // One keyboard slip: a letter replaced, dropped, doubled or two letters swapped.
    private static string Typo(string text, Random random)
    {
        var letters = text.Select((c, i) => (c, i)).Where(x => char.IsLetter(x.c)).Select(x => x.i).ToArray();
        if (letters.Length < 3)
        {
            return text;
        }

        var at = letters[random.Next(1, letters.Length)];
        var chars = text.ToList();
        switch (random.Next(4))
        {
            case 0:
                chars[at] = (char)('a' + random.Next(26));
                break;
            case 1:
                chars.RemoveAt(at);
                break;
            case 2:
                chars.Insert(at, chars[at]);
                break;
            default:
                if (at + 1 < chars.Count && char.IsLetter(chars[at + 1]))
                {
                    (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
                }
                else
                {
                    chars.RemoveAt(at);
                }

                break;
        }

        return new string([.. chars]);
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static NamePart Pick(Random random, NamePart[] parts) => Pick(random, parts, p => p.Weight);

    private static T Pick<T>(Random random, IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = 0.0;
        foreach (var item in items)
        {
            total += weight(item);
        }

        var x = random.NextDouble() * total;
        foreach (var item in items)
        {
            x -= weight(item);
            if (x < 0)
            {
                return item;
            }
        }

        return items[^1];
    }

    // HashCode is randomized per process; this mix is not, so a seed gives the same population every run.
    public Random RandomFor(int index) => new((int)((uint)seed * 2654435761u ^ (uint)index * 40503u));
}
