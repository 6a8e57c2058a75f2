//! The one diesel schema, shared by the SQLite and PostgreSQL migration trees.

diesel::table! {
    users (id) {
        id -> BigInt,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        display_name -> Text,
        password_hash -> Text,
        locale -> Text,
        is_admin -> Bool,
        created_at -> Timestamp,
        elder_mode -> Bool,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        user_agent -> Text,
        client_ip -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    attempt_counters (bucket) {
        bucket -> Text,
        window_start -> Timestamp,
        attempts -> BigInt,
    }
}

diesel::table! {
    communities (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        kind -> Text,
        slug -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        support_percent -> BigInt,
        support_minimum -> BigInt,
        response_days -> BigInt,
    }
}

diesel::table! {
    grids (id) {
        id -> BigInt,
        community_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    households (id) {
        id -> BigInt,
        community_id -> BigInt,
        grid_id -> Nullable<BigInt>,
        address -> Text,
        created_at -> Timestamp,
        number -> Text,
        representative_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        community_id -> BigInt,
        household_id -> BigInt,
        name -> Text,
        sex -> Text,
        birth_date -> Date,
        birth_month_only -> Bool,
        relation -> Text,
        grid_id -> Nullable<BigInt>,
        phone -> Text,
        status -> Text,
        status_date -> Nullable<Date>,
        status_note -> Text,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    roster_changes (id) {
        id -> BigInt,
        community_id -> BigInt,
        person_id -> Nullable<BigInt>,
        household_id -> Nullable<BigInt>,
        changed_by -> BigInt,
        changed_at -> Timestamp,
        what -> Text,
        snapshot -> Text,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        community_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        household_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    join_requests (id) {
        id -> BigInt,
        community_id -> BigInt,
        user_id -> BigInt,
        address -> Text,
        grid_id -> Nullable<BigInt>,
        note -> Text,
        status -> Text,
        reason -> Text,
        household_id -> Nullable<BigInt>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        community_id -> Nullable<BigInt>,
        kind -> Text,
        subject -> Text,
        detail -> Text,
        link -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        mailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    action_log (id) {
        id -> BigInt,
        community_id -> Nullable<BigInt>,
        actor_id -> BigInt,
        action -> Text,
        target_user_id -> Nullable<BigInt>,
        detail -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    convening_notices (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        body -> Text,
        meets_at -> Timestamp,
        place -> Text,
        matters -> Text,
        online -> Text,
        notice_days -> BigInt,
        published_by -> BigInt,
        published_at -> Timestamp,
    }
}

diesel::table! {
    convening_settings (community_id) {
        community_id -> BigInt,
        notice_days -> BigInt,
        delegated -> Text,
    }
}

diesel::table! {
    agenda_items (id) {
        id -> BigInt,
        community_id -> BigInt,
        author_id -> BigInt,
        origin -> Text,
        title -> Text,
        body -> Text,
        category -> Text,
        stage -> Text,
        major -> Bool,
        support_count -> BigInt,
        comment_count -> BigInt,
        threshold -> BigInt,
        respond_by -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agenda_supports (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agenda_item_plans (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        responsible -> Text,
        due_on -> Date,
        note -> Text,
        set_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agenda_events (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        from_stage -> Nullable<Text>,
        to_stage -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
        parent_id -> Nullable<BigInt>,
        author_id -> BigInt,
        body -> Text,
        stance -> Nullable<Text>,
        official -> Bool,
        hidden -> Bool,
        hidden_reason -> Text,
        revisions -> BigInt,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        disclosure_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    comment_revisions (id) {
        id -> BigInt,
        community_id -> BigInt,
        comment_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comment_flags (id) {
        id -> BigInt,
        community_id -> BigInt,
        comment_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    follows (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agenda_steps (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        step -> Text,
        held_on -> Timestamp,
        body -> Text,
        expected -> BigInt,
        present -> BigInt,
        outcome -> Text,
        minutes -> Text,
        recorded_by -> BigInt,
        created_at -> Timestamp,
        photo -> Nullable<Text>,
        votes_for -> Nullable<BigInt>,
        votes_against -> Nullable<BigInt>,
        round -> BigInt,
    }
}

diesel::table! {
    photos (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> Nullable<BigInt>,
        uploader_id -> BigInt,
        name -> Text,
        width -> BigInt,
        height -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ballots (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        body -> Text,
        mode -> Text,
        secret -> Bool,
        options -> Text,
        rule -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        electorate -> BigInt,
        households -> BigInt,
        cast_count -> BigInt,
        state -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        grid_id -> Nullable<BigInt>,
        roll -> Bool,
    }
}

diesel::table! {
    ballot_roll (ballot_id, person_id) {
        ballot_id -> BigInt,
        person_id -> BigInt,
        household_id -> BigInt,
    }
}

diesel::table! {
    ballot_attendance (id) {
        id -> BigInt,
        ballot_id -> BigInt,
        person_id -> BigInt,
        household_id -> BigInt,
        via -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    ballot_electors (ballot_id, user_id) {
        ballot_id -> BigInt,
        user_id -> BigInt,
        household_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    ballot_voters (id) {
        id -> BigInt,
        ballot_id -> BigInt,
        voter_key -> BigInt,
        user_id -> BigInt,
        household_id -> Nullable<BigInt>,
        choice -> Nullable<Integer>,
    }
}

diesel::table! {
    ballot_choices (ballot_id, tracker) {
        ballot_id -> BigInt,
        tracker -> Text,
        choice -> Integer,
    }
}

diesel::table! {
    ballot_option_details (ballot_id, position) {
        ballot_id -> BigInt,
        position -> Integer,
        description -> Text,
        photo -> Nullable<Text>,
        cost_fen -> Nullable<BigInt>,
    }
}

diesel::table! {
    hall_results (id) {
        id -> BigInt,
        community_id -> BigInt,
        ballot_id -> BigInt,
        present -> BigInt,
        households_present -> BigInt,
        counts -> Text,
        minutes -> Text,
        photo -> Nullable<Text>,
        state -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        reason -> Text,
        corrects_id -> Nullable<BigInt>,
        correction_reason -> Text,
    }
}

diesel::table! {
    decisions (id) {
        id -> BigInt,
        community_id -> BigInt,
        item_id -> BigInt,
        ballot_id -> BigInt,
        corrects_id -> Nullable<BigInt>,
        correction_reason -> Text,
        body -> Text,
        mode -> Text,
        secret -> Bool,
        options -> Text,
        rule -> Text,
        electorate -> BigInt,
        households -> BigInt,
        present -> BigInt,
        households_present -> BigInt,
        counts -> Text,
        quorum_met -> Bool,
        verdict -> Text,
        leading_option -> Nullable<Integer>,
        minutes -> Text,
        photo -> Nullable<Text>,
        board_sha256 -> Text,
        recorded_by -> Nullable<BigInt>,
        confirmed_by -> Nullable<BigInt>,
        published_at -> Timestamp,
        hall_present -> BigInt,
        hall_counts -> Text,
        record_form -> Integer,
    }
}

diesel::table! {
    decision_countersigns (id) {
        id -> BigInt,
        decision_id -> BigInt,
        user_id -> BigInt,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    work_orders (id) {
        id -> BigInt,
        community_id -> BigInt,
        source -> Text,
        decision_id -> Nullable<BigInt>,
        title -> Text,
        description -> Text,
        category -> Text,
        place -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        grid_id -> Nullable<BigInt>,
        reporter_id -> Nullable<BigInt>,
        anonymous -> Bool,
        assignee_id -> Nullable<BigInt>,
        state -> Text,
        budget_yuan -> Nullable<BigInt>,
        received_at -> Timestamp,
        due_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        resolve_minutes -> Nullable<BigInt>,
        confirmed_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        rating -> Nullable<Integer>,
        rating_comment -> Text,
        updated_at -> Timestamp,
        inquiry_id -> Nullable<BigInt>,
        project_id -> Nullable<BigInt>,
        override_reason -> Text,
    }
}

diesel::table! {
    work_order_events (id) {
        id -> BigInt,
        community_id -> BigInt,
        order_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        from_state -> Nullable<Text>,
        to_state -> Text,
        note -> Text,
        created_at -> Timestamp,
        step -> Text,
    }
}

diesel::table! {
    work_order_photos (id) {
        id -> BigInt,
        community_id -> BigInt,
        order_id -> BigInt,
        kind -> Text,
        name -> Text,
        uploader_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    work_order_limits (community_id, category) {
        community_id -> BigInt,
        category -> Text,
        hours -> BigInt,
    }
}

diesel::table! {
    work_order_ratings (id) {
        id -> BigInt,
        community_id -> BigInt,
        order_id -> BigInt,
        rater_id -> BigInt,
        rating -> Integer,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (id) {
        id -> BigInt,
        day -> Date,
        kind -> Text,
        name -> Text,
        removes -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    township_limits (id) {
        id -> BigInt,
        community_id -> BigInt,
        working_days -> Integer,
        set_by -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::table! {
    urban_rep_settings (id) {
        id -> BigInt,
        community_id -> BigInt,
        held -> Bool,
        rule -> Text,
        set_by -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::table! {
    order_escalations (id) {
        id -> BigInt,
        community_id -> BigInt,
        order_id -> BigInt,
        township_id -> BigInt,
        state -> Text,
        reason -> Text,
        sent_by -> BigInt,
        sent_at -> Timestamp,
        handled_by -> Nullable<BigInt>,
        handled_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        instructions -> Text,
    }
}

diesel::table! {
    followup_draws (id) {
        id -> BigInt,
        community_id -> BigInt,
        month -> Text,
        seed -> BigInt,
        eligible -> Integer,
        drawn_at -> Timestamp,
    }
}

diesel::table! {
    followup_picks (id) {
        id -> BigInt,
        draw_id -> BigInt,
        community_id -> BigInt,
        order_id -> BigInt,
    }
}

diesel::table! {
    followup_calls (id) {
        id -> BigInt,
        community_id -> BigInt,
        pick_id -> BigInt,
        caller_id -> BigInt,
        reached -> Bool,
        answer -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bulletin_floors (id) {
        id -> BigInt,
        community_id -> BigInt,
        floor_percent -> Integer,
        set_by -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::table! {
    bulletin_publications (id) {
        id -> BigInt,
        community_id -> BigInt,
        month -> Text,
        disclosure_id -> BigInt,
        flagged -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        until -> Timestamp,
    }
}

diesel::table! {
    job_runs (name, run_key) {
        name -> Text,
        run_key -> Text,
        ran_at -> Timestamp,
    }
}

diesel::table! {
    backups (id) {
        id -> BigInt,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        path -> Text,
        ok -> Bool,
        verified -> Bool,
        message -> Text,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        community_id -> BigInt,
        key_hash -> Text,
        label -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    log_entries (idx) {
        idx -> BigInt,
        community_id -> Nullable<BigInt>,
        kind -> Text,
        record_id -> BigInt,
        content_sha256 -> Text,
        entry -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    log_hashes (id) {
        id -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    log_checkpoints (size) {
        size -> BigInt,
        root -> Binary,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    log_head (id) {
        id -> BigInt,
        size -> BigInt,
    }
}

diesel::table! {
    disclosures (id) {
        id -> BigInt,
        community_id -> BigInt,
        category -> Text,
        period -> Text,
        decision_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> Timestamp,
        due_on -> Nullable<Date>,
    }
}

diesel::table! {
    disclosure_versions (id) {
        id -> BigInt,
        community_id -> BigInt,
        disclosure_id -> BigInt,
        version -> Integer,
        title -> Text,
        body -> Text,
        responsible -> Text,
        opening_fen -> Nullable<BigInt>,
        reason -> Text,
        published_by -> BigInt,
        published_at -> Timestamp,
    }
}

diesel::table! {
    ledger_lines (id) {
        id -> BigInt,
        community_id -> BigInt,
        version_id -> BigInt,
        line_no -> Integer,
        paid_on -> Date,
        description -> Text,
        income_fen -> BigInt,
        expense_fen -> BigInt,
        counterparty -> Text,
        voucher -> Text,
    }
}

diesel::table! {
    disclosure_files (id) {
        id -> BigInt,
        community_id -> BigInt,
        version_id -> BigInt,
        kind -> Text,
        name -> Text,
        label -> Text,
    }
}

diesel::table! {
    disclosure_cadences (id) {
        id -> BigInt,
        community_id -> BigInt,
        category -> Text,
        cadence -> Text,
        since -> Date,
        grace_days -> Integer,
        set_by -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::table! {
    inquiries (id) {
        id -> BigInt,
        community_id -> BigInt,
        subject_kind -> Text,
        subject_id -> Nullable<BigInt>,
        asker_id -> BigInt,
        question -> Text,
        asked_at -> Timestamp,
        due_at -> Timestamp,
    }
}

diesel::table! {
    inquiry_answers (id) {
        id -> BigInt,
        community_id -> BigInt,
        inquiry_id -> BigInt,
        answerer_id -> BigInt,
        answer -> Text,
        answered_at -> Timestamp,
    }
}

diesel::table! {
    inquiry_answer_files (id) {
        id -> BigInt,
        community_id -> BigInt,
        inquiry_id -> BigInt,
        kind -> Text,
        name -> Text,
        label -> Text,
    }
}

diesel::table! {
    powers (id) {
        id -> BigInt,
        community_id -> BigInt,
        code -> Text,
        name -> Text,
        procedure -> Text,
        kind -> Text,
        body -> Text,
        threshold_fen -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        decision_id -> Nullable<BigInt>,
        comparison -> Text,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        community_id -> BigInt,
        code -> Text,
        title -> Text,
        announcement -> Text,
        budget_fen -> BigInt,
        contractor -> Text,
        planned_start -> Text,
        planned_end -> Text,
        actual_start -> Nullable<Text>,
        actual_end -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    project_acceptances (id) {
        id -> BigInt,
        community_id -> BigInt,
        project_id -> BigInt,
        accepted_on -> Text,
        accepted_by -> Text,
        opinion -> Text,
        photo -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    supervisor_appointments (id) {
        id -> BigInt,
        community_id -> BigInt,
        user_id -> BigInt,
        action -> Text,
        decision_id -> Nullable<BigInt>,
        reason -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    project_decisions (project_id, decision_id) {
        project_id -> BigInt,
        decision_id -> BigInt,
    }
}

diesel::table! {
    disbursements (id) {
        id -> BigInt,
        community_id -> BigInt,
        project_id -> BigInt,
        amount_fen -> BigInt,
        paid_on -> Text,
        payee -> Text,
        voucher -> Text,
        decision_id -> Nullable<BigInt>,
        power_code -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    spend_refusals (id) {
        id -> BigInt,
        community_id -> BigInt,
        project_id -> Nullable<BigInt>,
        kind -> Text,
        amount_fen -> BigInt,
        payee -> Text,
        rule -> Text,
        power_code -> Text,
        power_name -> Text,
        threshold_fen -> BigInt,
        required_body -> Text,
        decision_id -> Nullable<BigInt>,
        cited_body -> Nullable<Text>,
        attempted_by -> BigInt,
        attempted_at -> Timestamp,
        adds_up_with -> Text,
        total_fen -> Nullable<BigInt>,
    }
}

diesel::table! {
    voucher_reviews (id) {
        id -> BigInt,
        community_id -> BigInt,
        disbursement_id -> BigInt,
        reviewer_id -> BigInt,
        verdict -> Text,
        note -> Text,
        inquiry_id -> Nullable<BigInt>,
        reviewed_at -> Timestamp,
    }
}

diesel::table! {
    oversight_settings (community_id) {
        community_id -> BigInt,
        voucher_review_days -> BigInt,
        inquiry_days -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(followup_picks -> followup_draws (draw_id));
diesel::joinable!(followup_picks -> work_orders (order_id));
diesel::joinable!(agenda_items -> communities (community_id));
diesel::joinable!(agenda_items -> users (author_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(grids -> communities (community_id));
diesel::joinable!(households -> communities (community_id));
diesel::joinable!(persons -> households (household_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> communities (community_id));
diesel::joinable!(join_requests -> communities (community_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(ballot_electors -> users (user_id));
diesel::joinable!(ballot_roll -> persons (person_id));
diesel::joinable!(ballot_attendance -> persons (person_id));
diesel::joinable!(ballot_voters -> users (user_id));
diesel::joinable!(decision_countersigns -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    inquiries,
    inquiry_answers,
    inquiry_answer_files,
    disclosure_cadences,
    disclosure_files,
    disclosure_versions,
    disclosures,
    ledger_lines,
    log_checkpoints,
    log_entries,
    log_hashes,
    log_head,
    users,
    sessions,
    attempt_counters,
    communities,
    grids,
    households,
    memberships,
    join_requests,
    notifications,
    action_log,
    agenda_items,
    agenda_supports,
    agenda_events,
    agenda_steps,
    comments,
    comment_revisions,
    comment_flags,
    follows,
    photos,
    ballots,
    ballot_electors,
    ballot_roll,
    ballot_attendance,
    ballot_voters,
    ballot_choices,
    ballot_option_details,
    hall_results,
    decisions,
    decision_countersigns,
    work_orders,
    work_order_events,
    work_order_photos,
    work_order_limits,
    work_order_ratings,
    order_escalations,
    township_limits,
    calendar_days,
    agenda_item_plans,
    followup_draws,
    followup_picks,
    followup_calls,
    bulletin_floors,
    bulletin_publications,
    job_leases,
    job_runs,
    backups,
    api_keys,
    powers,
    projects,
    project_acceptances,
    supervisor_appointments,
    project_decisions,
    disbursements,
    spend_refusals,
    voucher_reviews,
    oversight_settings,
    persons,
    convening_notices,
    convening_settings,
    roster_changes,
    urban_rep_settings,
);
