// Pure logic of the media engine: no files are read or written.
#include "media/ffmpeg_util.hpp"
#include "media/probe.hpp"
#include "media/video_writer.hpp"

#include <nlohmann/json.hpp>

#include <QtTest>

using namespace redub::media;
using redub::ErrorKind;
using redub::Rational;

class TestMediaLogic : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void snapRateFindsTheStandardRate_data() {
        QTest::addColumn<double>("fps");
        QTest::addColumn<qlonglong>("num");
        QTest::addColumn<qlonglong>("den");
        QTest::newRow("23.976") << 23.976 << 24000LL << 1001LL;
        QTest::newRow("23.98") << 23.98 << 24000LL << 1001LL;
        QTest::newRow("24") << 24.0 << 24LL << 1LL;
        QTest::newRow("25.05") << 25.05 << 25LL << 1LL;
        QTest::newRow("29.97") << 29.97 << 30000LL << 1001LL;
        QTest::newRow("30.02") << 30.02 << 30LL << 1LL;
        QTest::newRow("59.94") << 59.94 << 60000LL << 1001LL;
        QTest::newRow("60") << 60.0 << 60LL << 1LL;
        QTest::newRow("19.149 is not standard") << 19.149 << 19149LL << 1000LL;
        QTest::newRow("garbage falls back to 25") << -3.0 << 25LL << 1LL;
    }
    void snapRateFindsTheStandardRate() {
        QFETCH(double, fps);
        QFETCH(qlonglong, num);
        QFETCH(qlonglong, den);
        QCOMPARE(detail::snapRate(fps), Rational(num, den));
    }

    void describeRateShowsFractionAndFps() {
        QCOMPARE(QString::fromStdString(describeRate({30000, 1001})), QString("30000/1001 (29.970 fps)"));
    }

    void jsonOfAudioOnlyInfoHasNullVideo() {
        MediaInfo info;
        info.path = "/x/speech.wav";
        info.container = "wav";
        info.audio = AudioInfo{16000, 1, "pcm_s16le", 2.5, 0.0, 0};
        const nlohmann::json j = toJson(info);
        QVERIFY(j["video"].is_null());
        QCOMPARE(j["audio"]["sample_rate"].get<int>(), 16000);
        QCOMPARE(j["audio"]["channels"].get<int>(), 1);
        QCOMPARE(QString::fromStdString(j["container"].get<std::string>()), QString("wav"));
    }

    void writerRejectsBadParametersBeforeTouchingDisk_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("crf");
        QTest::addColumn<QString>("preset");
        QTest::addColumn<qlonglong>("rate_num");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero size") << 0 << 0 << 18 << "medium" << 25LL << "absurd frame size";
        QTest::newRow("absurd width") << 100000 << 480 << 18 << "medium" << 25LL << "absurd frame size";
        QTest::newRow("negative height") << 640 << -2 << 18 << "medium" << 25LL << "absurd frame size";
        QTest::newRow("crf 60") << 64 << 48 << 60 << "medium" << 25LL << "CRF 60";
        QTest::newRow("bad preset") << 64 << 48 << 18 << "ludicrous" << 25LL << "preset 'ludicrous'";
        QTest::newRow("zero rate") << 64 << 48 << 18 << "medium" << 0LL << "invalid frame rate";
    }
    void writerRejectsBadParametersBeforeTouchingDisk() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(int, crf);
        QFETCH(QString, preset);
        QFETCH(qlonglong, rate_num);
        QFETCH(QString, message);
        auto p = WriterParams::defaults();
        p.width = w;
        p.height = h;
        p.crf = crf;
        p.preset = preset.toStdString();
        p.frame_rate = Rational(rate_num, 1);
        const std::filesystem::path out = "/nonexistent-redub-folder/out.mp4";
        try {
            VideoWriter writer(out, p);
            QFAIL("no error");
        } catch (const redub::Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY2(QString(e.what()).contains(message), e.what());
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(out.string())), e.what());
        }
        QVERIFY(!std::filesystem::exists("/nonexistent-redub-folder"));
    }

    void writerDefaultsAreTheDocumentedOnes() {
        const auto p = WriterParams::defaults();
        QCOMPARE(p.crf, 18);
        QCOMPARE(QString::fromStdString(p.preset), QString("medium"));
        QCOMPARE(p.frame_rate, Rational(25, 1));
        QCOMPARE(p.audio_sample_rate, 48000);
        QCOMPARE(p.audio_channels, 2);
        QVERIFY(p.with_audio);
        QVERIFY(p.copy_audio_from.empty());
    }
};

QTEST_GUILESS_MAIN(TestMediaLogic)
#include "test_media_logic.moc"
