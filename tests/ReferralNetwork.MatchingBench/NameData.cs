namespace ReferralNetwork.MatchingBench;

/// <summary>
/// One name part as people write it: the native spelling and the Latin spellings seen in passports, case files
/// and lists, typed by hand (never produced by AnyAscii or the matcher's romanizers, or the benchmark would
/// measure the romanizer against itself). The first romanization is the most usual one.
/// </summary>
internal sealed record NamePart(string Native, string[] Latin, double Weight);

/// <summary>The hand-made lists. Weights are relative frequencies within a list.</summary>
internal static class NameData
{
    // "native|latin1|latin2…" per entry; weight by entry as given, or by rank (Zipf, exponent s) when absent.
    private static NamePart[] Parse(string data, double zipf = 0.6)
    {
        var parts = new List<NamePart>();
        var rank = 1;
        foreach (var line in data.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            var weight = 1.0 / Math.Pow(rank, zipf);
            var latin = fields.Skip(1).ToList();
            if (latin.Count > 0 && double.TryParse(latin[0], System.Globalization.CultureInfo.InvariantCulture, out var explicitWeight))
            {
                weight = explicitWeight;
                latin.RemoveAt(0);
            }

            parts.Add(new NamePart(fields[0], [.. latin], weight));
            rank++;
        }

        return [.. parts];
    }

    // ---- Vietnamese: family name first, middle name, given name. Frequencies after the usual surveys. ----

    public static readonly NamePart[] VietnameseFamily = Parse("""
        Nguyễn|38|Nguyen|Nguyen|Nguyen|Ngyuen|Nguyên
        Trần|11|Tran|Tran|Trân
        Lê|9.5|Le|Le|Lee
        Phạm|7.1|Pham|Pham|Fam
        Hoàng|4|Hoang|Hoang|Hoangh
        Huỳnh|2|Huynh|Huynh|Huinh
        Phan|4.5|Phan|Phan|Fan
        Vũ|2|Vu|Vu|Vuu
        Võ|1.9|Vo|Vo|Voh
        Đặng|2.1|Dang|Dang|Dhang
        Bùi|2|Bui|Bui|Buoi
        Đỗ|1.4|Do|Do|Doh
        Hồ|1.3|Ho|Ho
        Ngô|1.3|Ngo|Ngo
        Dương|1|Duong|Duong|Dzuong
        Lý|0.5|Ly|Ly|Lee
        Đinh|0.8|Dinh|Dinh|Dihn
        Trương|0.8|Truong|Truong|Troung
        Mai|0.5|Mai|Mai
        Đào|0.5|Dao|Dao
        Lương|0.5|Luong|Luong|Luang
        Cao|0.4|Cao|Cao|Kao
        Lâm|0.4|Lam|Lam
        Tạ|0.3|Ta|Ta
        Hà|0.5|Ha|Ha
        Phùng|0.3|Phung|Phung
        Tô|0.3|To|To
        Vương|0.3|Vuong|Vuong
        Chu|0.2|Chu|Chu
        Thái|0.3|Thai|Thai
        """);

    public static readonly NamePart[] VietnameseMiddleFemale = Parse("""
        Thị|55|Thi|Thi|Thi|Thy
        Ngọc|8|Ngoc|Ngoc
        Thu|6|Thu|Thu
        Thanh|5|Thanh|Thanh|Tanh
        Kim|4|Kim|Kim
        Mỹ|3|My|My|Mi
        Hồng|3|Hong|Hong
        Minh|3|Minh|Minh
        Phương|3|Phuong|Phuong
        Bảo|2|Bao|Bao
        Diệu|2|Dieu|Dieu
        Hoài|2|Hoai|Hoai
        """);

    public static readonly NamePart[] VietnameseMiddleMale = Parse("""
        Văn|45|Van|Van|Van|Vann
        Đức|8|Duc|Duc|Duk
        Minh|8|Minh|Minh
        Quốc|6|Quoc|Quoc|Quok
        Hữu|6|Huu|Huu|Hu
        Thanh|5|Thanh|Thanh
        Công|5|Cong|Cong
        Xuân|4|Xuan|Xuan|Suan
        Hoàng|3|Hoang|Hoang
        Quang|3|Quang|Quang
        Tiến|3|Tien|Tien
        Duy|2|Duy|Duy|Dui
        """);

    public static readonly NamePart[] VietnameseGivenFemale = Parse("""
        Linh|Linh|Linh|Lin
        Trang|Trang|Trang
        Anh|Anh|Anh
        Hương|Huong|Huong|Houng|Huong
        Lan|Lan|Lan
        Hoa|Hoa|Hoa|Hwa
        Mai|Mai|Mai
        Thảo|Thao|Thao|Thaoo
        Ngọc|Ngoc|Ngoc|Ngok
        Hằng|Hang|Hang
        Nga|Nga|Nga
        Phương|Phuong|Phuong|Phuang
        Thu|Thu|Thu
        Hà|Ha|Ha
        Hạnh|Hanh|Hanh
        Yến|Yen|Yen
        Nhung|Nhung|Nhung|Nyung
        Thủy|Thuy|Thuy|Thui
        Vân|Van|Van
        Loan|Loan|Loan
        Huyền|Huyen|Huyen|Huyenn
        Dung|Dung|Dung|Zung
        Hiền|Hien|Hien
        Tuyết|Tuyet|Tuyet
        Nhi|Nhi|Nhi|Nhy
        Hồng|Hong|Hong
        Liên|Lien|Lien
        Oanh|Oanh|Oanh|Wanh
        Quỳnh|Quynh|Quynh|Quinh
        My|My|My|Mi
        Giang|Giang|Giang|Zang
        Châu|Chau|Chau
        Diệp|Diep|Diep
        Lệ|Le|Le
        Nguyệt|Nguyet|Nguyet
        Phượng|Phuong|Phuong
        Quyên|Quyen|Quyen
        Sen|Sen|Sen
        Tâm|Tam|Tam
        Thắm|Tham|Tham
        Thơm|Thom|Thom
        Thúy|Thuy|Thuy
        Trinh|Trinh|Trinh
        Uyên|Uyen|Uyen
        Vy|Vy|Vy|Vi
        Xuân|Xuan|Xuan
        Ánh|Anh|Anh
        Bích|Bich|Bich
        Chi|Chi|Chi
        Duyên|Duyen|Duyen
        Hậu|Hau|Hau
        Khuyên|Khuyen|Khuyen
        Ngân|Ngan|Ngan
        Nhàn|Nhan|Nhan
        Thư|Thu|Thu
        Trâm|Tram|Tram
        Vi|Vi|Vi
        Yên|Yen|Yen
        Hiên|Hien|Hien
        Mơ|Mo|Mo
        Lụa|Lua|Lua
        Thương|Thuong|Thuong
        Kiều|Kieu|Kieu
        Hải|Hai|Hai
        """);

    public static readonly NamePart[] VietnameseGivenMale = Parse("""
        Minh|Minh|Minh
        Nam|Nam|Nam
        Hùng|Hung|Hung
        Dũng|Dung|Dung|Zung
        Tuấn|Tuan|Tuan|Touan
        Hải|Hai|Hai
        Long|Long|Long
        Sơn|Son|Son
        Thắng|Thang|Thang
        Cường|Cuong|Cuong|Kuong
        Hiếu|Hieu|Hieu
        Phúc|Phuc|Phuc|Phuk
        Quang|Quang|Quang
        Huy|Huy|Huy|Hui
        Đức|Duc|Duc
        Tùng|Tung|Tung
        Trung|Trung|Trung
        Khánh|Khanh|Khanh
        Thành|Thanh|Thanh
        Bình|Binh|Binh
        Toàn|Toan|Toan
        Việt|Viet|Viet
        Hoàng|Hoang|Hoang
        Hưng|Hung|Hung
        Tâm|Tam|Tam
        Phong|Phong|Phong
        Kiên|Kien|Kien
        Lâm|Lam|Lam
        Tiến|Tien|Tien
        Vinh|Vinh|Vinh
        Thịnh|Thinh|Thinh
        Hòa|Hoa|Hoa
        Hiệp|Hiep|Hiep
        Lộc|Loc|Loc
        Nghĩa|Nghia|Nghia
        Quân|Quan|Quan
        Tài|Tai|Tai
        Thái|Thai|Thai
        Thiện|Thien|Thien
        Trí|Tri|Tri
        Tú|Tu|Tu
        Vũ|Vu|Vu
        Bảo|Bao|Bao
        Duy|Duy|Duy
        Đạt|Dat|Dat
        Định|Dinh|Dinh
        Khoa|Khoa|Khoa
        Mạnh|Manh|Manh
        Nhân|Nhan|Nhan
        Phát|Phat|Phat
        Sang|Sang|Sang
        Tân|Tan|Tan
        Thông|Thong|Thong
        Chiến|Chien|Chien
        Công|Cong|Cong
        Danh|Danh|Danh
        Giang|Giang|Giang
        Hậu|Hau|Hau
        Lợi|Loi|Loi
        Nhật|Nhat|Nhat
        """);

    // ---- Khmer: family name first. ----

    public static readonly NamePart[] KhmerFamily = Parse("""
        សុខ|10|Sok|Sok|Sokh|Sock
        ចាន់|7|Chan|Chan|Chann|Chanh
        ជា|5|Chea|Chea|Chia
        គីម|5|Kim|Kim
        ហេង|5|Heng|Heng
        លី|4|Ly|Ly|Lee|Li
        មាស|4|Meas|Meas|Mes|Meah
        កែវ|4|Keo|Keo|Kaev|Keov
        សេង|3|Seng|Seng
        ប្រាក់|3|Prak|Prak|Prac
        សំ|3|Sam|Sam|Som
        សន|3|Sorn|Sorn|Son|Sone
        ម៉ៅ|2|Mao|Mao|Mau
        ញឹម|2|Nhem|Nhem|Nhim
        អ៊ុក|2|Ouk|Ouk|Ok|Uk
        ពេជ្រ|2|Pich|Pich|Pech|Peach
        ឡុង|2|Long|Long
        យឹម|2|Yim|Yim|Yem
        សៅ|2|Sao|Sao|Sau
        ហង់|1|Hang|Hang
        ហ៊ុន|2|Hun|Hun|Hunn|Hoon
        ទូច|2|Touch|Touch|Toch|Tuch
        វង្ស|1|Vong|Vong|Vongs|Wong
        អ៊ុន|2|Un|Un|Oun|Oon
        ឈុន|1|Chhun|Chhun|Chun
        ស៊ិន|1|Sin|Sin|Sinn
        ទេព|1|Tep|Tep|Teb
        ពៅ|1|Pov|Pov|Pau
        ខៀវ|1|Khiev|Khiev|Khiew|Kheav
        ម៉ម|1|Mom|Mom
        """);

    public static readonly NamePart[] KhmerGivenFemale = Parse("""
        សុខា|Sokha|Sokha|Sokhar|Sokhaa
        ស្រីមុំ|Sreymom|Sreymom|Srey Mom|Sreimom
        ស្រីនាង|Sreyneang|Sreyneang|Srey Neang|Sreynang
        ស្រីពៅ|Sreypov|Sreypov|Srey Pov|Sreypouv
        សុភាព|Sopheap|Sopheap|Sophep|Sopheab
        ចន្ថា|Chantha|Chantha|Chanthar|Chanta
        បុប្ផា|Bopha|Bopha|Boppha|Bopa
        ធីតា|Thida|Thida|Theda|Thyda
        ណារី|Nary|Nary|Nari|Narie
        ម៉ាលី|Maly|Maly|Mali|Malys
        សុជាតា|Socheata|Socheata|Socheatta|Sochata
        ពិសី|Pisey|Pisey|Pisei|Pisy
        រតនា|Ratana|Ratana|Rattana|Rathana
        កញ្ញា|Kanha|Kanha|Kagna|Kanhha
        លក្ខិណា|Leakhena|Leakhena|Leakena|Lakhena
        ដាវី|Davy|Davy|Davi|Davey
        វណ្ណា|Vanna|Vanna|Vana|Wanna
        សុភា|Sophea|Sophea|Sopha
        ចរិយា|Chariya|Chariya|Cheriya
        ធារី|Theary|Theary|Thary|Teary
        រស្មី|Reaksmey|Reaksmey|Raksmey|Rasmey
        ស្រីល័ក្ខ|Sreyleak|Sreyleak|Srey Leak|Sreylak
        ស្រីនិច|Sreynich|Sreynich|Srey Nich
        ស្រីអូន|Sreyoun|Sreyoun|Srey Oun|Sreyon
        ចាន់ធូ|Chanthou|Chanthou|Chanthu|Chantou
        សុខនី|Sokny|Sokny|Sokhny|Sokhni
        ស្រីលីន|Sreylin|Sreylin|Srey Lin
        សុវណ្ណារី|Sovannary|Sovannary|Sovanary
        ម៉ានី|Many|Many|Mani
        ស្រីរ័ត្ន|Sreyrath|Sreyrath|Srey Rath|Sreyrat
        """);

    public static readonly NamePart[] KhmerGivenMale = Parse("""
        សុផល|Sophal|Sophal|Sophall|Sopal
        ដារ៉ា|Dara|Dara|Darah|Daraa
        វិចិត្រ|Vichet|Vichet|Vicheth|Vichit
        សម្បត្តិ|Sambath|Sambath|Sambat|Sambatt
        ពិសិដ្ឋ|Piseth|Piseth|Pisith|Piset
        រិទ្ធី|Rithy|Rithy|Rithi|Ridthy
        វិបុល|Vibol|Vibol|Vibal|Wibol
        សុវណ្ណ|Sovann|Sovann|Sovan|Sovanna
        ភក្តី|Pheakdey|Pheakdey|Pheakdei|Peakdey
        សុខុម|Sokhom|Sokhom|Sokhum
        ចាន់ណា|Channa|Channa|Chana|Chanha
        វុទ្ធី|Vuthy|Vuthy|Vuthi|Vutthy
        ធារ៉ា|Theara|Theara|Thearah|Teara
        វាសនា|Veasna|Veasna|Vesna|Veasana
        ម៉ុនី|Mony|Mony|Moni
        ចំរើន|Chamroeun|Chamroeun|Chamroeurn|Chamrouen
        សារ៉ាត|Sarath|Sarath|Sarat
        ពិសាល|Pisal|Pisal|Pisall
        ម៉េង|Meng|Meng
        សុខលី|Sokly|Sokly|Sokhly
        ស៊ីថា|Sitha|Sitha|Sithar
        បូរី|Borey|Borey|Bory|Borei
        សុខហេង|Sokheng|Sokheng|Sok Heng
        វិសាល|Visal|Visal|Vysal
        រដ្ឋា|Rotha|Rotha|Ratha
        ចាន់ថន|Chanthorn|Chanthorn|Chanthon
        សុភ័ក្រ|Sopheak|Sopheak|Sophak
        ណារិន|Narin|Narin|Naren
        """);

    // ---- Lao: given name first, then a (usually long, compound) family name. ----

    public static readonly NamePart[] LaoFamily = Parse("""
        ພົມມະຈັນ|Phommachanh|Phommachanh|Phommachan|Phomachanh
        ສີສຸພັນ|Sisouphanh|Sisouphanh|Sisouphan|Sysouphanh
        ແກ້ວມະນີ|Keomany|Keomany|Keomani|Kaeomany
        ວົງສະຫວັນ|Vongsavanh|Vongsavanh|Vongsavan|Wongsawan
        ໄຊຍະວົງ|Xayavong|Xayavong|Sayavong|Xaiyavong
        ພັນທະວົງ|Phanthavong|Phanthavong|Phantavong
        ສີຫາລາດ|Sihalath|Sihalath|Sihalat
        ຈັນທະລາ|Chanthala|Chanthala|Chantala|Chanthalar
        ອິນທະວົງ|Inthavong|Inthavong|Intavong|Inthavongs
        ສຸວັນນະ|Souvanna|Souvanna|Suvanna
        ພົມມະວົງ|Phommavong|Phommavong|Phomavong
        ສີວົງ|Sivong|Sivong|Syvong
        ບຸນມາ|Bounma|Bounma|Bunma
        ແສງອາລຸນ|Sengaloun|Sengaloun|Saengaloun|Sengalun
        ດວງມາລາ|Douangmala|Douangmala|Duangmala
        ວົງໄຊ|Vongxay|Vongxay|Vongsai
        ສຸລິວົງ|Soulivong|Soulivong|Sulivong
        ພິມມະສອນ|Phimmasone|Phimmasone|Phimmason
        ຄຳວົງ|Khamvong|Khamvong|Khamwong
        ທອງສີ|Thongsy|Thongsy|Thongsi|Tongsy
        ແກ້ວວົງ|Keovong|Keovong|Kaeovong
        ສີລາ|Sila|Sila|Syla
        ວັນນະວົງ|Vannavong|Vannavong|Vanavong
        ບຸບຜາ|Boupha|Boupha|Bupha
        """);

    public static readonly NamePart[] LaoGivenFemale = Parse("""
        ບົວ|Bua|Bua|Boua
        ມະນີ|Manee|Manee|Mani|Many
        ວິໄລ|Vilay|Vilay|Vilai|Wilai
        ສຸລິຍາ|Souliya|Souliya|Suliya|Souriya
        ນາລີ|Nalee|Nalee|Nali|Naly
        ແສງ|Seng|Seng|Saeng|Sengh
        ດາວ|Dao|Dao|Dau|Dow
        ມາລີ|Maly|Maly|Mali|Malee
        ນິດ|Nith|Nith|Nit|Nid
        ລັດສະໝີ|Latsamy|Latsamy|Latsami|Lattsamy
        ນ້ອຍ|Noy|Noy|Noi|Nouy
        ພອນ|Phone|Phone|Phon|Pone
        ຄຳ|Kham|Kham|Khame
        ສີ|Sy|Sy|Si|See
        ຈັນ|Chanh|Chanh|Chan|Jan
        ທອງ|Thong|Thong|Tong
        ພູ|Phou|Phou|Phu|Pou
        ບຸນ|Boun|Boun|Bun|Boon
        ສຸກ|Souk|Souk|Suk|Sook
        ແກ້ວ|Keo|Keo|Kaeo|Kaew
        ວັນ|Vanh|Vanh|Van|Wan
        ຄຳພອນ|Khamphone|Khamphone|Khamphon|Kamphone
        """);

    public static readonly NamePart[] LaoGivenMale = Parse("""
        ສົມສັກ|Somsack|Somsack|Somsak|Somsackh
        ບຸນມີ|Bounmy|Bounmy|Bounmi|Bunmee
        ທອງສຸກ|Thongsouk|Thongsouk|Thongsuk|Tongsouk
        ສົມພອນ|Somphone|Somphone|Somphon|Sompone
        ວິໄຊ|Vixay|Vixay|Visay|Vixai
        ພອນສະຫວັນ|Phonesavanh|Phonesavanh|Phonsavan|Phonesavan
        ບຸນທັນ|Bounthanh|Bounthanh|Bounthan|Bunthan
        ແສງທອງ|Sengthong|Sengthong|Saengthong|Sengtong
        ຈັນທະວົງ|Chanthavong|Chanthavong|Chanthavongs|Jantavong
        ໄຊຍະ|Xaiya|Xaiya|Saiya|Xayya
        ວັນໄຊ|Vanxay|Vanxay|Vansai|Wanxay
        ສົມບັດ|Sombath|Sombath|Sombat|Sombad
        ອຸດົມ|Oudom|Oudom|Udom|Oudome
        ຄຳຫຼ້າ|Khamla|Khamla|Khamlar
        ທອງ|Thong|Thong|Tong
        ພອນ|Phone|Phone|Phon
        ສຸກ|Souk|Souk|Suk
        ຄຳ|Kham|Kham|Khame
        ບຸນ|Boun|Boun|Bun
        ສີ|Sy|Sy|Si
        """);

    // ---- Burmese: no family name; two to three syllables, each written as a word in Latin. ----

    public static readonly NamePart[] BurmeseMale = Parse("""
        အောင်|Aung|Aung|Aung|Aong
        ကျော်|Kyaw|Kyaw|Kyau|Kyao
        မင်း|Min|Min|Minn
        ထက်|Htet|Htet|Htat|Tet
        ဇော်|Zaw|Zaw|Zau|Zaww
        မျိုး|Myo|Myo|Myoe|Mio
        ဝင်း|Win|Win|Winn|Wynn
        သန့်|Thant|Thant|Thandt|Than
        စိုး|Soe|Soe|So|Soh
        နိုင်|Naing|Naing|Naingg
        လှိုင်|Hlaing|Hlaing|Laing
        သူ|Thu|Thu|Thuu|Tu
        ရဲ|Ye|Ye|Yei|Yeh
        ကို|Ko|Ko|Koe
        ထွန်း|Htun|Htun|Tun|Htoon
        ဘ|Ba|Ba|Bah
        သိန်း|Thein|Thein|Tein|Thain
        ဟိန်း|Hein|Hein|Hain|Heinn
        ဖြိုး|Phyo|Phyo|Pyo|Phyoe
        ပြည့်|Pyae|Pyae|Pyi|Pyay
        ညီ|Nyi|Nyi|Nyee
        ကြည်|Kyi|Kyi|Kyee|Chi
        မြင့်|Myint|Myint|Myin|Mynt
        ဇင်|Zin|Zin|Zinn
        လင်း|Lin|Lin|Linn
        မြတ်|Myat|Myat|Myet
        သက်|Thet|Thet|That
        ခိုင်|Khaing|Khaing|Khine|Kaing
        """);

    public static readonly NamePart[] BurmeseFemale = Parse("""
        ခင်|Khin|Khin|Khinn|Kin
        စု|Su|Su|Soo|Hsu
        မြ|Mya|Mya|Myah|Mia
        အေး|Aye|Aye|Aey|Ei
        မိုး|Moe|Moe|Mo|Moh
        ငြိမ်း|Nyein|Nyein|Nyain|Nyeinn
        သီတာ|Thida|Thida|Theda|Thidar
        စန္ဒာ|Sandar|Sandar|Sanda|Sandaa
        ဖြူ|Phyu|Phyu|Pyu|Phyuu
        နှင်း|Hnin|Hnin|Nhin|Hninn
        ဝေ|Wai|Wai|Way|We
        ရတနာ|Yadanar|Yadanar|Yadana|Yatana
        ချို|Cho|Cho|Chou
        သီရိ|Thiri|Thiri|Thiree|Tiri
        နီလာ|Nilar|Nilar|Nila|Nilaa
        မေ|May|May|Mae|Me
        မာ|Mar|Mar|Ma|Marr
        နွယ်|Nwe|Nwe|Nway|Nwae
        ဧ|Ei|Ei|E|Ae
        ယု|Yu|Yu|Yuu|You
        ပန်း|Pan|Pan|Pann
        ဇာ|Zar|Zar|Za
        ချမ်း|Chan|Chan|Chann
        လှ|Hla|Hla|Hlah|La
        သဲ|The|The|Thae|Thel
        မြင့်|Myint|Myint|Myin
        ဝင်း|Win|Win|Winn
        သန္တာ|Thandar|Thandar|Thanda
        """);

    // ---- Thai: given name first, then a family name; Thai family names are nearly unique, so they are built from
    // the usual Pali/Sanskrit and Thai parts, each romanized by hand. ----

    public static readonly NamePart[] ThaiGivenFemale = Parse("""
        สมศรี|Somsri|Somsri|Somsee|Somsi
        สุดา|Suda|Suda|Sudaa
        มาลี|Malee|Malee|Mali|Maly
        วิไล|Wilai|Wilai|Vilai|Wilaii
        นิภา|Nipha|Nipha|Nipa|Niphaa
        กาญจนา|Kanjana|Kanjana|Kanchana|Karnjana
        ศิริพร|Siriporn|Siriporn|Siriphon|Siripon
        สมหญิง|Somying|Somying|Som-ying|Somyingh
        อรุณี|Arunee|Arunee|Aruni|Arunie
        รัตนา|Rattana|Rattana|Ratana|Rutana
        ประภา|Prapha|Prapha|Prapa|Praphaa
        วันดี|Wandee|Wandee|Wandi|Vandee
        บุษบา|Butsaba|Busaba|Butsaba|Bussaba
        สุนีย์|Sunee|Sunee|Suni|Sunie
        ปราณี|Pranee|Pranee|Prani|Pranie
        ลำดวน|Lamduan|Lamduan|Lumduan|Lamduane
        ทองใบ|Thongbai|Thongbai|Tongbai|Thongbay
        อัมพร|Amporn|Amporn|Amphon|Umporn
        จิราพร|Jiraporn|Jiraporn|Chiraphon|Jirapon
        ดวงใจ|Duangjai|Duangjai|Duangchai|Duangjay
        เพ็ญศรี|Pensri|Pensri|Phensri|Pensee
        อำไพ|Ampai|Ampai|Amphai|Umpai
        ปิยะนุช|Piyanuch|Piyanuch|Piyanut|Piyanooch
        จันทร์เพ็ญ|Chanpen|Chanpen|Janpen|Junpen
        พรทิพย์|Porntip|Porntip|Phornthip|Pornthip
        นงลักษณ์|Nongluck|Nongluck|Nonglak|Nongluk
        """);

    public static readonly NamePart[] ThaiGivenMale = Parse("""
        สมชาย|Somchai|Somchai|Somchay|Somchaii
        สมศักดิ์|Somsak|Somsak|Somsuk|Somsack
        ประยุทธ์|Prayut|Prayut|Prayuth|Prayoot
        ชัยวัฒน์|Chaiwat|Chaiwat|Chaiwath|Chaiyawat
        อนันต์|Anan|Anan|Anant|Arnan
        วิชัย|Wichai|Wichai|Vichai|Wichay
        สมบัติ|Sombat|Sombat|Sombut|Sombath
        ประเสริฐ|Prasert|Prasert|Prasoet|Prasirt
        บุญมี|Boonmee|Boonmee|Bunmi|Boonmi
        ทองดี|Thongdee|Thongdee|Tongdee|Thongdi
        สุรชัย|Surachai|Surachai|Surachay|Soorachai
        ธนพล|Thanaphon|Thanaphon|Tanapol|Thanapol
        อภิชาติ|Apichat|Apichat|Aphichat|Apichart
        กิตติ|Kitti|Kitti|Kittie|Kiti
        ณัฐพล|Nattapon|Nattapon|Natthaphon|Nattaphol
        วีระ|Weera|Weera|Wira|Veera
        สุเทพ|Suthep|Suthep|Sutep|Soothep
        ชาญชัย|Chanchai|Chanchai|Charnchai|Chanchay
        มานพ|Manop|Manop|Manob
        สมพงษ์|Sompong|Sompong|Somphong|Sompongs
        ไพโรจน์|Pairoj|Pairoj|Phairot|Pairote
        สุวิทย์|Suwit|Suwit|Suwith|Suvit
        ศักดิ์ชัย|Sakchai|Sakchai|Sakchay|Sukchai
        เกียรติศักดิ์|Kiattisak|Kiattisak|Kiatisak|Kiatsak
        """);

    public static readonly NamePart[] ThaiFamilyParts = Parse("""
        สุข|Suk|Suk|Sook
        ศรี|Sri|Sri|Si|See
        ทอง|Thong|Thong|Tong
        แก้ว|Kaew|Kaew|Keaw|Kaeo
        วงศ์|Wong|Wong|Vong|Wongs
        สวัสดิ์|Sawat|Sawat|Sawad|Sawas
        ใจ|Jai|Jai|Chai
        ดี|Dee|Dee|Di
        บุญ|Boon|Boon|Bun|Bunn
        มา|Ma|Ma|Mah
        เจริญ|Charoen|Charoen|Jaroen|Charern
        รักษ์|Rak|Rak|Ruk
        ชัย|Chai|Chai|Chay
        สมบูรณ์|Somboon|Somboon|Sombun|Somboun
        พงษ์|Pong|Pong|Phong|Pongs
        ศักดิ์|Sak|Sak|Suk
        กุล|Kul|Kul|Kun|Kool
        พันธ์|Phan|Phan|Pan|Pun
        เพชร|Phet|Phet|Pet|Petch
        สิทธิ์|Sit|Sit|Sith|Sitt
        ทิพย์|Thip|Thip|Tip|Thib
        รัตน์|Rat|Rat|Rut|Ratt
        วิเศษ|Wiset|Wiset|Viset|Wised
        ปัญญา|Panya|Panya|Punya|Phanya
        นาค|Nak|Nak|Naak|Nark
        เดช|Det|Det|Dech|Deth
        มณี|Manee|Manee|Mani
        ประเสริฐ|Prasert|Prasert|Prasoet
        """, zipf: 0.3);

    /// <summary>Honorifics written before a name in one record and not in another.</summary>
    public static readonly (string Native, string Latin)[] BurmeseTitlesMale = [("ဦး", "U"), ("မောင်", "Maung"), ("ကို", "Ko")];

    public static readonly (string Native, string Latin)[] BurmeseTitlesFemale = [("ဒေါ်", "Daw"), ("မ", "Ma")];

    public static readonly (string Native, string Latin)[] ThaiTitlesMale = [("นาย", "Mr")];

    public static readonly (string Native, string Latin)[] ThaiTitlesFemale = [("นางสาว", "Miss"), ("นาง", "Mrs")];

    public static readonly (string Native, string Latin)[] KhmerTitlesMale = [("លោក", "Mr")];

    public static readonly (string Native, string Latin)[] KhmerTitlesFemale = [("លោកស្រី", "Mrs")];
}
