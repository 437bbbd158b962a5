// The small pieces of the study record: dates, SHA-256, field rules.

#include "seedplan/core/Error.h"
#include "seedplan/study/AdverseEventRecord.h"
#include "seedplan/study/FieldSpec.h"
#include "seedplan/study/FollowUpRecord.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/LesionRecord.h"
#include "seedplan/study/PatientRecord.h"
#include "seedplan/study/Sha256.h"
#include "seedplan/study/StudyVocabulary.h"

#include <gtest/gtest.h>

namespace seedplan::study {
namespace {

TEST(IsoDate, DayNumbersCountFromTheUnixEpoch) {
  EXPECT_EQ(IsoDate::Parse("1970-01-01", "d").DayNumber(), 0);
  // 30 years of which 7 leap years (1972 ... 1996): 30 * 365 + 7.
  EXPECT_EQ(IsoDate::Parse("2000-01-01", "d").DayNumber(), 10957);
  EXPECT_EQ(IsoDate::FromDayNumber(10957).ToString(), "2000-01-01");
  for (std::int64_t day = -800; day < 40000; day += 37) {
    EXPECT_EQ(IsoDate::Parse(IsoDate::FromDayNumber(day).ToString(), "d").DayNumber(), day);
  }
}

TEST(IsoDate, LeapYearsFollowTheGregorianRule) {
  EXPECT_TRUE(IsoDate::IsValid("2000-02-29"));  // divisible by 400
  EXPECT_FALSE(IsoDate::IsValid("1900-02-29")); // century not divisible by 400
  EXPECT_TRUE(IsoDate::IsValid("2024-02-29"));
  EXPECT_FALSE(IsoDate::IsValid("2023-02-29"));
  EXPECT_EQ(
      IsoDate::DaysBetween(IsoDate::Parse("2024-02-28", "d"), IsoDate::Parse("2024-03-01", "d")),
      2);
}

TEST(IsoDate, RefusesAnythingButYyyyMmDd) {
  for (const char* text : {"2024-1-05", "2024/01/05", "05.01.2024", "2024-13-01", "2024-04-31",
                           "20240105", " 2024-01-05", "1899-12-31", ""}) {
    EXPECT_FALSE(IsoDate::IsValid(text)) << text;
  }
  try {
    IsoDate::Parse("2024-04-31", "--date");
    FAIL();
  } catch (const InvalidInput& error) {
    EXPECT_STREQ(error.what(), "--date is '2024-04-31'; expected a date YYYY-MM-DD");
  }
}

TEST(Sha256, MatchesTheNistExamples) {
  // FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values", SHA-256).
  EXPECT_EQ(Sha256::Of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::Of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  const std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) {
    million.Update(thousand);
  }
  EXPECT_EQ(million.HexDigest(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, SplitsOfTheInputGiveTheSameDigest) {
  const std::string text(200, 'x');
  for (std::size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 127u, 199u}) {
    Sha256 hash;
    hash.Update(text.substr(0, split));
    hash.Update(text.substr(split));
    EXPECT_EQ(hash.HexDigest(), Sha256::Of(text)) << split;
  }
}

TEST(FieldSpec, ReadsChoicesInTheirCanonicalSpelling) {
  const FieldSpec site = LesionRecord::Fields().Find("site")->spec;
  EXPECT_EQ(site.Parse("lymph node", "--site"), FieldValue(std::string("lymph_node")));
  EXPECT_EQ(site.Parse("Lymph-Node", "--site"), FieldValue(std::string("lymph_node")));
  EXPECT_EQ(site.Parse("LUNG", "--site"), FieldValue(std::string("lung")));
  const FieldSpec response = FollowUpRecord::Fields().Find("response")->spec;
  EXPECT_EQ(response.Parse("cr", "--response"), FieldValue(std::string("CR")));
  try {
    site.Parse("brain", "--site");
    FAIL();
  } catch (const InvalidInput& error) {
    EXPECT_STREQ(error.what(), "--site is 'brain'; expected one of lung, bone, lymph_node, "
                               "adrenal, peritoneum, liver, other");
  }
}

TEST(FieldSpec, ReadsTextsThatRAndPandasTakeForMissingAsMissing) {
  const FieldSpec agent = PatientRecord::Fields().Find("pd1_agent")->spec;
  for (const char* missing : {"", "NA", "na", "N/A", "NaN", "null", "None", "  "}) {
    EXPECT_TRUE(IsNull(agent.Parse(missing, "pd1_agent"))) << missing;
  }
  const FieldSpec id = PatientRecord::Fields().Find("patient_id")->spec;
  EXPECT_THROW(id.Parse("NA", "--patient"), InvalidInput);
}

TEST(FieldSpec, RefusesNumbersOutsideTheirRangeNamingFieldValueAndRange) {
  const FieldSpec vas = FollowUpRecord::Fields().Find("vas")->spec;
  EXPECT_EQ(vas.Parse("6.5", "--vas"), FieldValue(6.5));
  try {
    vas.Parse("11", "--vas");
    FAIL();
  } catch (const InvalidInput& error) {
    EXPECT_STREQ(error.what(), "--vas is '11'; expected a number from 0 to 10 0-10");
  }
  const FieldSpec ecog = PatientRecord::Fields().Find("ecog")->spec;
  EXPECT_EQ(ecog.Parse("2", "--ecog"), FieldValue(std::int64_t{2}));
  EXPECT_THROW(ecog.Parse("2.5", "--ecog"), InvalidInput);
  EXPECT_THROW(ecog.Parse("5", "--ecog"), InvalidInput);
  EXPECT_THROW(ecog.Parse("two", "--ecog"), InvalidInput);
  const FieldSpec haemoglobin = FollowUpRecord::Fields().Find("haemoglobin_g_l")->spec;
  // 12.5 g/dL typed where g/L is expected: refused, not stored as a fatal anaemia.
  EXPECT_THROW(haemoglobin.Parse("12.5", "--haemoglobin"), InvalidInput);
}

TEST(FieldSpec, IdentifiersArePseudonymsWithoutSpacesOrPunctuation) {
  const FieldSpec id = PatientRecord::Fields().Find("patient_id")->spec;
  EXPECT_EQ(id.Parse("HCC-001", "--patient"), FieldValue(std::string("HCC-001")));
  for (const char* bad :
       {"Zhang San", "P;01", "-P01", "P01,", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"}) {
    EXPECT_THROW(id.Parse(bad, "--patient"), InvalidInput) << bad;
  }
}

TEST(FieldSpec, TextMustBeCleanUtf8OnOneLine) {
  const FieldSpec term = AdverseEventRecord::Fields().Find("term")->spec;
  EXPECT_EQ(term.Parse("Pneumothorax", "--term"), FieldValue(std::string("Pneumothorax")));
  EXPECT_EQ(term.Parse("Fièvre, grade 1", "--term"), FieldValue(std::string("Fièvre, grade 1")));
  EXPECT_THROW(term.Parse("two\nlines", "--term"), InvalidInput);
  EXPECT_THROW(term.Parse("latin-1 \xe9", "--term"), InvalidInput);
  EXPECT_THROW(term.Parse("overlong \xc0\xaf", "--term"), InvalidInput);
  EXPECT_THROW(term.Parse("cut \xe2\x82", "--term"), InvalidInput);
}

TEST(FieldSpec, DatesAfterTomorrowAreRefused) {
  const FieldSpec date = FollowUpRecord::Fields().Find("date")->spec;
  const IsoDate today = IsoDate::TodayUtc();
  EXPECT_NO_THROW(date.Parse(today.ToString(), "--date"));
  EXPECT_THROW(date.Parse(IsoDate::FromDayNumber(today.DayNumber() + 2).ToString(), "--date"),
               InvalidInput);
}

TEST(FollowUpRecord, LesionResponsesReadAndWriteAsOneCell) {
  const auto responses = FollowUpRecord::ParseLesionResponses("GTV_Lung:pr;GTV_Bone:SD", "cell");
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].lesionId, "GTV_Lung");
  EXPECT_EQ(responses[0].response, "PR");
  EXPECT_EQ(FollowUpRecord::FormatLesionResponses(responses), "GTV_Lung:PR;GTV_Bone:SD");
  EXPECT_TRUE(FollowUpRecord::ParseLesionResponses("", "cell").empty());
  EXPECT_THROW(FollowUpRecord::ParseLesionResponses("GTV_Lung", "cell"), InvalidInput);
  EXPECT_THROW(FollowUpRecord::ParseLesionResponses("GTV_Lung:XX", "cell"), InvalidInput);
  EXPECT_THROW(FollowUpRecord::ParseLesionResponses("A:CR;A:PD", "cell"), InvalidInput);
}

TEST(StudyVocabulary, PlanningSitesBecomeRecordSites) {
  EXPECT_EQ(StudyVocabulary::SiteFromPlanning("lymph node"), "lymph_node");
  EXPECT_EQ(StudyVocabulary::SiteFromPlanning("Adrenal"), "adrenal");
  EXPECT_EQ(StudyVocabulary::SiteFromPlanning("brain"), "other");
  EXPECT_LT(StudyVocabulary::ResponseRank("CR"), StudyVocabulary::ResponseRank("PR"));
  EXPECT_LT(StudyVocabulary::ResponseRank("SD"), StudyVocabulary::ResponseRank("PD"));
}

} // namespace
} // namespace seedplan::study
