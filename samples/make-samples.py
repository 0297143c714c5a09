#!/usr/bin/env python3
"""Writes the sample messages in this folder, deterministically (fixed dates, ids, boundaries,
zip timestamps; the zip member is stored, not deflated, so no zlib version can change it).

LF line endings, as qmail-smtpd hands messages to qmail-queue; each starts with the
Received: line qmail-smtpd adds.

    samples/make-samples.py            # (re)write the .eml files next to this script
    samples/make-samples.py --check    # exit 1 if a file differs from what would be written
"""
import base64
import io
import pathlib
import sys
import zipfile

HERE = pathlib.Path(__file__).resolve().parent

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
assert len(EICAR) == 68
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

RECEIVED = ("Received: from unknown (HELO client.example.org) (192.0.2.10)\n"
            "  by mx.example.net with SMTP; 2 Jan 2024 10:00:00 -0000\n")


def headers(subject, msgid, content_type=None, received=True):
    h = RECEIVED if received else ""
    h += ("From: Alice Sender <alice@example.org>\n"
          "To: Bob Recipient <bob@example.net>\n"
          f"Subject: {subject}\n"
          "Date: Tue, 02 Jan 2024 10:00:00 +0000\n"
          f"Message-ID: <{msgid}@client.example.org>\n"
          "MIME-Version: 1.0\n")
    if content_type:
        h += f"Content-Type: {content_type}\n"
    return h


def b64(data):
    return base64.encodebytes(data).decode("ascii")  # 76-column lines, LF


def clean():
    return (headers("Lunch on Thursday", "clean-0001",
                    'text/plain; charset="us-ascii"') +
            "Content-Transfer-Encoding: 7bit\n"
            "\n"
            "Hi Bob,\n\nAre we still on for lunch on Thursday at noon?\n\nAlice\n")


def gtube():
    return (headers("GTUBE spam test", "gtube-0001", 'text/plain; charset="us-ascii"') +
            "Content-Transfer-Encoding: 7bit\n"
            "\n"
            "This is the GTUBE, the Generic Test for Unsolicited Bulk Email.\n"
            "SpamAssassin scores any message containing it as spam.\n"
            "\n" + GTUBE + "\n")


def eicar():
    b = "----=_qscan_sample_eicar"
    return (headers("EICAR test attachment", "eicar-0001",
                    f'multipart/mixed; boundary="{b}"') +
            "\n"
            "This is a multi-part message in MIME format.\n"
            f"\n--{b}\n"
            'Content-Type: text/plain; charset="us-ascii"\n'
            "Content-Transfer-Encoding: 7bit\n"
            "\n"
            "The attachment is the EICAR anti-virus test file (harmless).\n"
            f"\n--{b}\n"
            'Content-Type: application/octet-stream; name="eicar.com"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment; filename="eicar.com"\n'
            "\n" + b64(EICAR) +
            f"\n--{b}--\n")


def eicar_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        info = zipfile.ZipInfo("eicar.com", date_time=(2024, 1, 2, 10, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = 3  # unix
        info.external_attr = 0o644 << 16
        z.writestr(info, EICAR)
    return buf.getvalue()


def nested_eicar():
    outer = "----=_qscan_sample_outer"
    inner = "----=_qscan_sample_inner"
    inner_msg = (headers("Fwd target: invoice", "nested-inner-0001",
                         f'multipart/mixed; boundary="{inner}"', received=False) +
                 "\n"
                 f"--{inner}\n"
                 'Content-Type: text/plain; charset="us-ascii"\n'
                 "Content-Transfer-Encoding: 7bit\n"
                 "\n"
                 "Invoice attached.\n"
                 f"\n--{inner}\n"
                 'Content-Type: application/zip; name="eicar.zip"\n'
                 "Content-Transfer-Encoding: base64\n"
                 'Content-Disposition: attachment; filename="eicar.zip"\n'
                 "\n" + b64(eicar_zip()) +
                 f"\n--{inner}--\n")
    return (headers("Fwd: invoice", "nested-0001", f'multipart/mixed; boundary="{outer}"') +
            "\n"
            "This is a multi-part message in MIME format.\n"
            f"\n--{outer}\n"
            'Content-Type: text/plain; charset="us-ascii"\n'
            "Content-Transfer-Encoding: 7bit\n"
            "\n"
            "Forwarded message attached (it carries eicar.com inside eicar.zip).\n"
            f"\n--{outer}\n"
            "Content-Type: message/rfc822\n"
            "Content-Transfer-Encoding: 7bit\n"
            'Content-Disposition: attachment; filename="invoice.eml"\n'
            "\n" + inner_msg +
            f"\n--{outer}--\n")


SAMPLES = {
    "clean.eml": clean,
    "eicar.eml": eicar,
    "nested-eicar.eml": nested_eicar,
    "gtube.eml": gtube,
}


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        sys.exit(__doc__)
    differ = False
    for name, make in SAMPLES.items():
        data = make().encode("ascii")
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                print(f"{name}: differs", file=sys.stderr)
                differ = True
        else:
            path.write_bytes(data)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
