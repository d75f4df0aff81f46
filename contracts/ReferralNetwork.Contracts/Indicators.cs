namespace ReferralNetwork.Contracts;

/// <summary>One item of the screening list, tagged with the Palermo element it evidences.</summary>
public sealed record Indicator(string Code, PalermoElement Element, string Category, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// The screening list, versioned as data: codes are stable and never reused; a new version may add
/// indicators or improve labels. English is authoritative; the other labels are machine-assisted
/// drafts awaiting review by native speakers (see <see cref="ReviewedLanguages"/>).
/// </summary>
public static class IndicatorCatalog
{
    public const string Version = "2026.11";

    public const string FallbackLanguage = "en";

    /// <summary>en, vi (Vietnamese), km (Khmer), lo (Lao), my (Burmese), th (Thai).</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "vi", "km", "lo", "my", "th"];

    /// <summary>Languages whose labels native speakers have reviewed.</summary>
    public static readonly IReadOnlyList<string> ReviewedLanguages = ["en"];

    public static readonly IReadOnlyList<Indicator> All =
    [
        // act: recruitment, transportation, transfer, harbouring or receipt of persons
        I("recruited-online-job-offer", PalermoElement.Act, "forced-criminality",
            "Recruited through an online job offer (e.g. customer service, IT, translation) abroad",
            "Được tuyển dụng qua lời mời làm việc trực tuyến ở nước ngoài",
            "ត្រូវបានជ្រើសរើសតាមរយៈការផ្តល់ការងារតាមអនឡាញនៅបរទេស",
            "ຖືກຮັບສະໝັກຜ່ານການສະເໜີວຽກທາງອອນລາຍຢູ່ຕ່າງປະເທດ",
            "နိုင်ငံခြားတွင် အွန်လိုင်းအလုပ်ကမ်းလှမ်းချက်ဖြင့် စုဆောင်းခံရသည်",
            "ถูกจัดหาผ่านข้อเสนองานออนไลน์ในต่างประเทศ"),
        I("recruited-social-media", PalermoElement.Act, "forced-criminality",
            "Recruited through social media or messaging apps by a stranger or acquaintance",
            "Được tuyển dụng qua mạng xã hội hoặc ứng dụng nhắn tin",
            "ត្រូវបានជ្រើសរើសតាមបណ្តាញសង្គម ឬកម្មវិធីផ្ញើសារ",
            "ຖືກຮັບສະໝັກຜ່ານສື່ສັງຄົມ ຫຼື ແອັບສົ່ງຂໍ້ຄວາມ",
            "လူမှုကွန်ရက် သို့မဟုတ် မက်ဆေ့ချ်အက်ပ်မှတစ်ဆင့် စုဆောင်းခံရသည်",
            "ถูกจัดหาผ่านสื่อสังคมออนไลน์หรือแอปส่งข้อความ"),
        I("transported-across-border", PalermoElement.Act, "general",
            "Transported across a border by others, often irregularly or at night",
            "Bị người khác đưa qua biên giới, thường là trái phép",
            "ត្រូវបានអ្នកដទៃដឹកឆ្លងព្រំដែន ជាញឹកញាប់ដោយខុសច្បាប់",
            "ຖືກຜູ້ອື່ນພາຂ້າມຊາຍແດນ ເລື້ອຍໆແບບບໍ່ຖືກກົດໝາຍ",
            "အခြားသူများက နယ်စပ်ဖြတ်၍ တရားမဝင် ခေါ်ဆောင်ခံရသည်",
            "ถูกผู้อื่นพาข้ามพรมแดน มักเป็นการลักลอบ"),
        I("resold-between-compounds", PalermoElement.Act, "forced-criminality",
            "Sold or transferred from one compound or employer to another",
            "Bị bán hoặc chuyển từ khu này sang khu khác",
            "ត្រូវបានលក់ ឬផ្ទេរពីបរិវេណមួយទៅបរិវេណមួយទៀត",
            "ຖືກຂາຍ ຫຼື ຍົກຍ້າຍຈາກບ່ອນໜຶ່ງໄປອີກບ່ອນໜຶ່ງ",
            "တစ်နေရာမှ တစ်နေရာသို့ ရောင်းချ သို့မဟုတ် လွှဲပြောင်းခံရသည်",
            "ถูกขายหรือส่งต่อจากที่หนึ่งไปอีกที่หนึ่ง"),

        // means: threat, force, coercion, abduction, fraud, deception, abuse of power or vulnerability
        I("deceived-about-work", PalermoElement.Means, "general",
            "Deceived about the nature, place or conditions of the work",
            "Bị lừa dối về tính chất, địa điểm hoặc điều kiện công việc",
            "ត្រូវបានបោកប្រាស់អំពីលក្ខណៈ ទីកន្លែង ឬលក្ខខណ្ឌការងារ",
            "ຖືກຫຼອກລວງກ່ຽວກັບລັກສະນະ, ສະຖານທີ່ ຫຼື ເງື່ອນໄຂຂອງວຽກ",
            "အလုပ်၏ သဘောသဘာဝ၊ နေရာ သို့မဟုတ် အခြေအနေများနှင့်ပတ်သက်၍ လှည့်စားခံရသည်",
            "ถูกหลอกลวงเกี่ยวกับลักษณะ สถานที่ หรือเงื่อนไขของงาน"),
        I("passport-confiscated", PalermoElement.Means, "general",
            "Passport or identity documents taken and withheld",
            "Bị giữ hộ chiếu hoặc giấy tờ tùy thân",
            "លិខិតឆ្លងដែន ឬឯកសារអត្តសញ្ញាណត្រូវបានដកហូត",
            "ໜັງສືຜ່ານແດນ ຫຼື ເອກະສານປະຈຳຕົວຖືກຍຶດໄວ້",
            "နိုင်ငံကူးလက်မှတ် သို့မဟုတ် မှတ်ပုံတင်စာရွက်စာတမ်းများ သိမ်းဆည်းခံရသည်",
            "ถูกยึดหนังสือเดินทางหรือเอกสารประจำตัว"),
        I("confined-under-guard", PalermoElement.Means, "forced-criminality",
            "Confined to a compound under armed or electronic guard; not free to leave",
            "Bị giam giữ trong khu có người canh gác, không được tự do rời đi",
            "ត្រូវបានឃុំខ្លួនក្នុងបរិវេណដែលមានអ្នកយាម មិនអាចចាកចេញដោយសេរី",
            "ຖືກກັກຂັງໃນບໍລິເວນທີ່ມີຍາມເຝົ້າ ບໍ່ມີອິດສະຫຼະອອກໄປ",
            "အစောင့်အကြပ်ဖြင့် ဝင်းအတွင်း ချုပ်နှောင်ခံထားရပြီး လွတ်လပ်စွာ ထွက်ခွာခွင့်မရှိ",
            "ถูกกักขังในพื้นที่ที่มีผู้คุม ไม่มีอิสระที่จะออกไป"),
        I("debt-bondage", PalermoElement.Means, "general",
            "Held by a debt (recruitment, travel, fines) that cannot realistically be repaid",
            "Bị ràng buộc bởi khoản nợ không thể trả được",
            "ជាប់បំណុលដែលមិនអាចសងបាន",
            "ຖືກຜູກມັດດ້ວຍໜີ້ສິນທີ່ບໍ່ສາມາດຊຳລະໄດ້",
            "ပြန်ဆပ်၍မရနိုင်သော အကြွေးဖြင့် ချည်နှောင်ခံထားရသည်",
            "ถูกผูกมัดด้วยหนี้ที่ไม่สามารถชำระได้"),
        I("ransom-demanded", PalermoElement.Means, "forced-criminality",
            "A ransom or 'compensation' demanded from the person or family for release",
            "Bị đòi tiền chuộc từ bản thân hoặc gia đình để được thả",
            "ត្រូវបានទាមទារប្រាក់លោះពីខ្លួន ឬគ្រួសារដើម្បីដោះលែង",
            "ຖືກຮຽກຮ້ອງຄ່າໄຖ່ຈາກຕົນເອງ ຫຼື ຄອບຄົວເພື່ອປ່ອຍຕົວ",
            "လွတ်မြောက်ရန် မိမိ သို့မဟုတ် မိသားစုထံမှ ငွေပြန်ရွေးတောင်းခံခံရသည်",
            "ถูกเรียกค่าไถ่จากตนเองหรือครอบครัวเพื่อแลกกับการปล่อยตัว"),
        I("threats-against-family", PalermoElement.Means, "general",
            "Threats against the person's family or of denunciation to the authorities",
            "Bị đe dọa làm hại gia đình hoặc tố giác với chính quyền",
            "ការគំរាមកំហែងលើគ្រួសារ ឬគំរាមរាយការណ៍ទៅអាជ្ញាធរ",
            "ຖືກຂົ່ມຂູ່ຕໍ່ຄອບຄົວ ຫຼື ຂູ່ວ່າຈະແຈ້ງເຈົ້າໜ້າທີ່",
            "မိသားစုကို အန္တရာယ်ပြုမည် သို့မဟုတ် အာဏာပိုင်ထံ တိုင်ကြားမည်ဟု ခြိမ်းခြောက်ခံရသည်",
            "ถูกข่มขู่ว่าจะทำร้ายครอบครัวหรือแจ้งเจ้าหน้าที่"),
        I("physical-violence", PalermoElement.Means, "general",
            "Beaten, given electric shocks, or otherwise physically harmed",
            "Bị đánh đập, chích điện hoặc bạo hành thể xác",
            "ត្រូវបានវាយដំ ឆក់ខ្សែភ្លើង ឬធ្វើបាបរាងកាយ",
            "ຖືກທຸບຕີ, ຊັອດໄຟຟ້າ ຫຼື ທຳຮ້າຍຮ່າງກາຍ",
            "ရိုက်နှက်ခြင်း၊ လျှပ်စစ်ဖြင့် တို့ခြင်း သို့မဟုတ် ရုပ်ပိုင်းဆိုင်ရာ နှိပ်စက်ခံရသည်",
            "ถูกทุบตี ช็อตไฟฟ้า หรือทำร้ายร่างกาย"),
        I("communication-restricted", PalermoElement.Means, "general",
            "Phone taken or contact with family and the outside restricted or monitored",
            "Bị lấy điện thoại hoặc hạn chế liên lạc với gia đình",
            "ទូរស័ព្ទត្រូវបានដកហូត ឬការទំនាក់ទំនងជាមួយគ្រួសារត្រូវបានរឹតត្បិត",
            "ຖືກຍຶດໂທລະສັບ ຫຼື ຈຳກັດການຕິດຕໍ່ກັບຄອບຄົວ",
            "ဖုန်းသိမ်းခံရခြင်း သို့မဟုတ် မိသားစုနှင့် ဆက်သွယ်မှု ကန့်သတ်ခံရသည်",
            "ถูกยึดโทรศัพท์หรือจำกัดการติดต่อกับครอบครัว"),

        // purpose: exploitation
        I("forced-to-defraud-others", PalermoElement.Purpose, "forced-criminality",
            "Forced to defraud others online (romance, investment or crypto scams)",
            "Bị ép lừa đảo người khác qua mạng (lừa tình, đầu tư, tiền mã hóa)",
            "ត្រូវបានបង្ខំឱ្យបោកប្រាស់អ្នកដទៃតាមអនឡាញ",
            "ຖືກບັງຄັບໃຫ້ຫຼອກລວງຄົນອື່ນທາງອອນລາຍ",
            "အခြားသူများကို အွန်လိုင်းမှ လိမ်လည်ရန် အတင်းအကျပ် ခိုင်းစေခံရသည်",
            "ถูกบังคับให้หลอกลวงผู้อื่นทางออนไลน์"),
        I("quotas-enforced-by-punishment", PalermoElement.Purpose, "forced-criminality",
            "Given quotas (victims, money) enforced by punishment, fines or resale",
            "Bị giao chỉ tiêu và bị trừng phạt nếu không đạt",
            "ត្រូវបានដាក់កូតា ហើយត្រូវដាក់ទណ្ឌកម្មបើមិនសម្រេច",
            "ຖືກກຳນົດເປົ້າໝາຍ ແລະ ຖືກລົງໂທດຖ້າບໍ່ບັນລຸ",
            "ပန်းတိုင်သတ်မှတ်ခံရပြီး မပြည့်မီပါက အပြစ်ပေးခံရသည်",
            "ถูกกำหนดเป้าและถูกลงโทษหากทำไม่ได้"),
        I("forced-labour", PalermoElement.Purpose, "forced-labour",
            "Made to work under menace of penalty, without freely agreeing to it",
            "Bị ép lao động dưới sự đe dọa trừng phạt",
            "ត្រូវបានបង្ខំឱ្យធ្វើការក្រោមការគំរាមដាក់ទណ្ឌកម្ម",
            "ຖືກບັງຄັບໃຫ້ເຮັດວຽກພາຍໃຕ້ການຂົ່ມຂູ່ລົງໂທດ",
            "ပြစ်ဒဏ်ခြိမ်းခြောက်မှုအောက်တွင် အတင်းအကျပ် အလုပ်လုပ်ခိုင်းခံရသည်",
            "ถูกบังคับให้ทำงานภายใต้การข่มขู่ลงโทษ"),
        I("sexual-exploitation", PalermoElement.Purpose, "sexual-exploitation",
            "Made to provide sexual services or exploited sexually",
            "Bị bóc lột tình dục",
            "ត្រូវបានកេងប្រវ័ញ្ចផ្លូវភេទ",
            "ຖືກຂູດຮີດທາງເພດ",
            "လိင်ပိုင်းဆိုင်ရာ အမြတ်ထုတ်ခံရသည်",
            "ถูกแสวงประโยชน์ทางเพศ"),
    ];

    private static readonly Dictionary<string, Indicator> ByCode = All.ToDictionary(i => i.Code);

    public static Indicator? Find(string code) => ByCode.GetValueOrDefault(code);

    private static Indicator I(string code, PalermoElement element, string category, string en, string vi, string km, string lo, string my, string th) =>
        new(code, element, category, new Dictionary<string, string> { ["en"] = en, ["vi"] = vi, ["km"] = km, ["lo"] = lo, ["my"] = my, ["th"] = th });
}
