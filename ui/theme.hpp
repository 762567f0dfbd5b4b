// The editor's dark theme (Fusion + a palette + a small style sheet), in the
// spirit of Shotcut and Kdenlive: neutral greys, one accent colour.
#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

class QApplication;

namespace redub::ui {

namespace theme {
inline const QColor kWindow{0x2b, 0x2d, 0x31};
inline const QColor kBase{0x1e, 0x1f, 0x22};
inline const QColor kPanel{0x24, 0x26, 0x2a};
inline const QColor kText{0xdc, 0xde, 0xe2};
inline const QColor kDimText{0x8d, 0x92, 0x9a};
inline const QColor kAccent{0x3d, 0x9b, 0xe9};     // selection, playhead handle
inline const QColor kSource{0x59, 0xb3, 0x7f};     // source audio waveform
inline const QColor kSpeech{0xe8, 0x9b, 0x3c};     // new speech waveform
inline const QColor kRange{0x3d, 0x9b, 0xe9, 70};  // ranges to re-sync
inline const QColor kNoFace{0xe0, 0x4f, 0x4f};     // frames without a face
inline const QColor kPlayhead{0xff, 0x5a, 0x4f};
inline const QColor kSyncGood{0x4c, 0xc0, 0x6e};   // lip-sync meter: the mouth follows the speech
inline const QColor kSyncFair{0xe0, 0xb8, 0x3c};
inline const QColor kSyncPoor{0xe0, 0x4f, 0x4f};
inline const QColor kSyncNone{0x45, 0x48, 0x4e};   // no face
// The meter's colour for a correlation r (NaN: no face): good >= 0.5, fair >= 0.2, else poor.
QColor syncColour(double r);

// Style sheets of single widgets (the application-wide one is in applyDarkTheme).
QString textColourStyle(const QColor& colour);  // "color: <colour>;"
QString dimLabelStyle();                        // secondary text
QString sectionLabelStyle();                    // the settings panel's upper-case headings
QString primaryButtonStyle();                   // the toolbar's Export button
QString transportBarStyle();                    // the bar under the preview (#transportBar)
QString timelineBarStyle();                     // the timeline's tool row (#timelineBar)
QString timecodeStyle();
QString durationStyle();
QString speedStyle();
QString fieldLabelStyle();                      // a label before a field in a bar
QString smallButtonStyle();
QString summaryStyle();                         // a dialog's dim summary line
QString dialogErrorStyle();                     // a dialog's error line
}  // namespace theme

// Crisp light-grey transport icons drawn at run time (the platform's media
// icons are dark and blurry on a dark theme).
enum class Glyph { Play, Pause, StepBack, StepForward, ToStart, ToEnd, Generate };
QIcon glyphIcon(Glyph g);

// Applies the Fusion style, the dark palette and the style sheet.
void applyDarkTheme(QApplication& app);

}  // namespace redub::ui
