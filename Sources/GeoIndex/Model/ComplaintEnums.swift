import Foundation

/// Where a complaint came in. Raw values are the stable codes used in CSV, JSON and the database.
public enum Channel: String, CaseIterable, Codable, Sendable {
    case phone          // Alo 153 / call centre
    case whatsapp
    case web            // e-hizmet web form
    case mobile         // municipality's mobile app
    case eDevlet = "e-devlet"
    case cimer
    case email
    case social
    case beyazMasa = "beyaz-masa" // walk-in desk
    /// A source value taskmap has no code for; the original text is kept beside it (`channel_text`).
    case other

    /// Accepts the code and common spellings ("153", "alo153", "telefon", "edevlet", "Beyaz Masa").
    public init?(parsing text: String) {
        if let exact = Channel(rawValue: text) { self = exact; return }
        let key = TurkishText.foldKey(text).replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
        switch key {
        case "phone", "153", "alo153", "alo-153", "telefon", "tel", "call": self = .phone
        case "whatsapp", "wa": self = .whatsapp
        case "web", "e-hizmet", "ehizmet", "internet": self = .web
        case "mobile", "mobil", "app", "mobil-uygulama": self = .mobile
        case "e-devlet", "edevlet", "turkiye.gov.tr": self = .eDevlet
        case "cimer": self = .cimer
        case "email", "e-mail", "e-posta", "eposta", "mail": self = .email
        case "social", "sosyal", "sosyal-medya", "twitter", "x", "instagram", "facebook": self = .social
        case "beyaz-masa", "beyazmasa", "masa", "walk-in": self = .beyazMasa
        case "other", "diger": self = .other
        default: return nil
        }
    }
}

/// Şikayet (complaint), talep (request), öneri (suggestion).
public enum ComplaintType: String, CaseIterable, Codable, Sendable {
    case sikayet, talep, oneri
    /// A source value taskmap has no code for; the original text is kept beside it (`type_text`).
    case other

    public init?(parsing text: String) {
        if let exact = ComplaintType(rawValue: text) { self = exact; return }
        switch TurkishText.foldKey(text) {
        case "sikayet", "complaint": self = .sikayet
        case "talep", "request": self = .talep
        case "oneri", "suggestion": self = .oneri
        case "other", "diger": self = .other
        default: return nil
        }
    }
}

/// Work-flow status. Allowed transitions are in `canTransition(to:)`.
public enum ComplaintStatus: String, CaseIterable, Codable, Sendable {
    case open, assigned
    case inProgress = "in_progress"
    case resolved, closed, rejected

    public init?(parsing text: String) {
        if let exact = ComplaintStatus(rawValue: text) { self = exact; return }
        switch TurkishText.foldKey(text).replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_") {
        case "open", "acik", "new", "yeni": self = .open
        case "assigned", "atandi": self = .assigned
        case "in_progress", "inprogress", "islemde", "progress": self = .inProgress
        case "resolved", "cozuldu", "done": self = .resolved
        case "closed", "kapandi", "kapali": self = .closed
        case "rejected", "reddedildi", "red": self = .rejected
        default: return nil
        }
    }

    /// Open backlog: everything not yet resolved, closed or rejected.
    public var isOpen: Bool { self == .open || self == .assigned || self == .inProgress }

    /// open → assigned → in_progress → resolved → closed; any open state may be rejected;
    /// resolved may be reopened (→ open) when the citizen says it is not fixed.
    public func canTransition(to next: ComplaintStatus) -> Bool {
        switch (self, next) {
        case (.open, .assigned), (.open, .inProgress), (.assigned, .inProgress),
             (.inProgress, .resolved), (.assigned, .resolved), (.resolved, .closed), (.resolved, .open),
             (.open, .rejected), (.assigned, .rejected), (.inProgress, .rejected):
            return true
        default:
            return false
        }
    }
}
